//! CloudWatch Logs resources (regional).

pub mod log_group;

#[cfg(test)]
mod tests;
