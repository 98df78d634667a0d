//! Data sources about the provider's own context: who (caller identity) and where (region).

pub mod caller_identity;
pub mod region;

#[cfg(test)]
mod tests;
