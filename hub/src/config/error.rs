//! Config errors that point at the file, line and key.

use std::fmt;

/// A config problem, located.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{file}: {message}")]
    Read {
        /// File.
        file: String,
        /// Why.
        message: String,
    },
    /// Syntax, unknown key, wrong type, or a failed check.
    #[error("{}", Located(.file, .line, .column, .key, .message))]
    Invalid {
        /// File.
        file: String,
        /// 1-based line, when known.
        line: Option<usize>,
        /// 1-based column, when known.
        column: Option<usize>,
        /// Dotted key at fault, when known.
        key: Option<String>,
        /// Why.
        message: String,
    },
}

struct Located<'a>(
    &'a String,
    &'a Option<usize>,
    &'a Option<usize>,
    &'a Option<String>,
    &'a String,
);

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Located(file, line, column, key, message) = self;
        write!(f, "{file}")?;
        if let Some(l) = line {
            write!(f, ":{l}")?;
            if let Some(c) = column {
                write!(f, ":{c}")?;
            }
        }
        if let Some(k) = key {
            write!(f, ": key `{k}`")?;
        }
        write!(f, ": {message}")
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

impl ConfigError {
    pub(super) fn from_toml(file: &str, text: &str, e: &toml::de::Error) -> Self {
        let (line, column) = match e.span() {
            Some(s) => {
                let (l, c) = line_col(text, s.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        // serde names the unknown field in backticks: pull it out as the key.
        let message = e.message().trim().to_owned();
        let key = message
            .strip_prefix("unknown field `")
            .and_then(|rest| rest.split('`').next())
            .map(str::to_owned);
        ConfigError::Invalid {
            file: file.to_owned(),
            line,
            column,
            key,
            message,
        }
    }

    pub(super) fn at(
        file: &str,
        text: &str,
        span: Option<std::ops::Range<usize>>,
        key: &str,
        message: String,
    ) -> Self {
        let (line, column) = match span {
            Some(s) => {
                let (l, c) = line_col(text, s.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        ConfigError::Invalid {
            file: file.to_owned(),
            line,
            column,
            key: Some(key.to_owned()),
            message,
        }
    }
}
