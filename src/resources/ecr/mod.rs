//! ECR resources (regional).

pub mod repository;

#[cfg(test)]
mod tests;
