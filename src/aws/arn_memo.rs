//! Process-wide memory of facts that never change for a given ARN: a task definition revision's
//! network mode and named ports, a target group's target type. Learned from a create's (or a
//! describe's) answer, they spare a plan-time check its read when Terraform re-plans a dependent
//! resource during apply with the ARN this same provider process just created. An ARN names one
//! object (partition, region and account included), so a remembered fact is never another's.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Facts of type `T` by ARN. A provider process lives for one Terraform walk, so the memory
/// holds at most the objects of one configuration and is never trimmed.
pub struct ArnMemo<T> {
    facts: OnceLock<Mutex<HashMap<String, T>>>,
}

impl<T: Clone> ArnMemo<T> {
    pub const fn new() -> Self {
        ArnMemo {
            facts: OnceLock::new(),
        }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, T>> {
        self.facts
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    pub fn remember(&self, arn: &str, fact: T) {
        if !arn.is_empty() {
            self.map().insert(arn.to_string(), fact);
        }
    }

    pub fn recall(&self, arn: &str) -> Option<T> {
        self.map().get(arn).cloned()
    }
}

impl<T: Clone> Default for ArnMemo<T> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recalls_only_what_was_remembered_for_that_arn() {
        static MEMO: ArnMemo<u32> = ArnMemo::new();
        assert_eq!(
            MEMO.recall("arn:aws:ecs:us-east-1:1:task-definition/web:1"),
            None
        );
        MEMO.remember("arn:aws:ecs:us-east-1:1:task-definition/web:1", 7);
        MEMO.remember("", 9);
        assert_eq!(
            MEMO.recall("arn:aws:ecs:us-east-1:1:task-definition/web:1"),
            Some(7)
        );
        assert_eq!(
            MEMO.recall("arn:aws:ecs:us-east-1:1:task-definition/web:2"),
            None
        );
        assert_eq!(MEMO.recall(""), None);
    }
}
