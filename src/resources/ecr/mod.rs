//! ECR resources (regional).

pub mod authorization_token;
pub mod lifecycle_policy;
pub mod repository;
pub mod repository_data;
pub mod repository_policy;

#[cfg(test)]
mod tests;
