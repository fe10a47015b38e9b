//! One check's result, the same type wherever something is judged: the engine's callback and ID
//! token checks (state, iss, nonce) and the token crate's inspection. `{id, status, message,
//! expected, actual, spec, problem}`: what was checked, the verdict, what was expected and what
//! came, the spec section it implements, and, when it failed, a stable code of what is wrong.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Pass,
    Fail,
    Warn,
    Skip,
}

impl CheckStatus {
    pub fn symbol(self) -> &'static str {
        match self {
            CheckStatus::Pass => "✔",
            CheckStatus::Fail => "✘",
            CheckStatus::Warn => "!",
            CheckStatus::Skip => "-",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, ts_rs::TS)]
pub struct Check {
    pub id: &'static str,
    pub status: CheckStatus,
    /// Static for the common outcomes, so a passing check allocates nothing.
    pub message: Cow<'static, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    pub spec: &'static str,
    /// When it failed: a stable code of what is wrong (`bad_signature`, `state_mismatch`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<&'static str>,
}

impl Check {
    pub fn new(
        id: &'static str,
        spec: &'static str,
        status: CheckStatus,
        message: impl Into<Cow<'static, str>>,
    ) -> Check {
        Check { id, status, message: message.into(), expected: None, actual: None, spec, problem: None }
    }
    pub fn pass(id: &'static str, spec: &'static str, message: impl Into<Cow<'static, str>>) -> Check {
        Check::new(id, spec, CheckStatus::Pass, message)
    }
    pub fn warn(id: &'static str, spec: &'static str, message: impl Into<Cow<'static, str>>) -> Check {
        Check::new(id, spec, CheckStatus::Warn, message)
    }
    pub fn skip(id: &'static str, spec: &'static str, message: impl Into<Cow<'static, str>>) -> Check {
        Check::new(id, spec, CheckStatus::Skip, message)
    }
    pub fn fail(
        id: &'static str,
        spec: &'static str,
        problem: &'static str,
        message: impl Into<Cow<'static, str>>,
    ) -> Check {
        Check { problem: Some(problem), ..Check::new(id, spec, CheckStatus::Fail, message) }
    }
    /// The same check with what was expected and what came.
    pub fn with(mut self, expected: impl Into<String>, actual: impl Into<String>) -> Check {
        self.expected = Some(expected.into());
        self.actual = Some(actual.into());
        self
    }
}
