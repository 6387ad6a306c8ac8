//! Policy errors that tell an admin exactly where to look.

use std::fmt;

/// A rejected policy: where (line/column, rule, field) and what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyError {
    /// 1-based line and column in the policy text, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The id of the rule at fault, when the error is inside a rule that has one.
    pub rule: Option<String>,
    /// The field path, e.g. `rules[0].patterns[1]`.
    pub field: Option<String>,
    pub message: String,
}

impl PolicyError {
    pub(crate) fn at_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        PolicyError { line: None, column: None, rule: None, field: Some(field.into()), message: message.into() }
    }

    pub(crate) fn in_rule(mut self, rule: Option<&str>) -> Self {
        self.rule = rule.map(str::to_string);
        self
    }

    pub(crate) fn from_json(e: &serde_json::Error) -> Self {
        // serde_json appends " at line L column C"; keep the position in fields instead.
        let text = e.to_string();
        let message = match text.rfind(" at line ") {
            Some(i) => text[..i].to_string(),
            None => text,
        };
        PolicyError {
            line: (e.line() > 0).then_some(e.line()),
            column: (e.column() > 0).then_some(e.column()),
            rule: None,
            field: None,
            message,
        }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, "line {l}, column {c}: ")?;
        }
        if let Some(r) = &self.rule {
            write!(f, "rule \"{r}\": ")?;
        }
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for PolicyError {}
