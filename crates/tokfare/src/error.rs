//! The error of the `tokfare` crate: the tokenizer's or the pricing crate's, unchanged.
//!
//! Each crate keeps its own error type (a tokenizer-only build carries no pricing
//! variants); this one joins them for the functions that use both ([`crate::estimate`])
//! and for the bindings, which map [`Error::code`] to their error classes.

use std::sync::LazyLock;

/// `Result` with tokfare's [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error of the tokenizer or of the pricing crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Loading a tokenizer or tokenizing failed.
    #[error(transparent)]
    Tokenizer(#[from] tokfare_tokenizer::Error),
    /// Pricing, metering or reading prices and usage failed.
    #[cfg(feature = "pricing")]
    #[error(transparent)]
    Pricing(#[from] tokfare_pricing::Error),
    /// A usage-log line the meter refused ([`tokfare_pricing::meter::LogProblem`]): the
    /// meter's error (a conflict, an unpriced model ...) and the line it came from. Its
    /// code and fields are the meter error's, plus `line`.
    #[cfg(feature = "pricing")]
    #[error("line {line}: {error}")]
    LogLine {
        /// The 1-based line number.
        line: usize,
        /// What the meter said.
        error: tokfare_pricing::Error,
    },
}

impl Error {
    /// The stable snake_case code of the underlying error (`unknown_model`,
    /// `invalid_usage` ...): what the bindings map to their error classes.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Tokenizer(e) => e.code(),
            #[cfg(feature = "pricing")]
            Error::Pricing(e) | Error::LogLine { error: e, .. } => e.code(),
        }
    }
}

/// One field of an error, as the bindings expose it (a Python exception attribute, a
/// JavaScript error property).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldValue {
    /// Text (a name, a JSON path, a reason).
    Text(String),
    /// A count or position (a line, a byte offset, a token id).
    Number(u64),
    /// A list of names (suggestions, known names).
    Texts(Vec<String>),
}

impl Error {
    /// The error's fields by name — what a caller needs besides the message: the file's
    /// `path` and `line`, the bad `field`'s path, the `model`, `suggestions` ... — in the
    /// variant's order. The bindings attach them to their exceptions; the message already
    /// says the same in words.
    pub fn fields(&self) -> Vec<(&'static str, FieldValue)> {
        use tokfare_tokenizer::Error as T;
        use FieldValue::{Number, Text, Texts};
        let text = |s: &str| Text(s.to_string());
        match self {
            Error::Tokenizer(e) => match e {
                T::UnknownEncoding { name, known } => {
                    vec![("encoding", text(name)), ("known", Texts(known.split(", ").map(String::from).collect()))]
                }
                T::EncodingNotBuilt { name, feature } => vec![("encoding", text(name)), ("feature", text(feature))],
                T::FeatureNotBuilt { what, feature } => vec![("what", text(what)), ("feature", text(feature))],
                T::UnknownModel { model } => vec![("model", text(model))],
                T::DisallowedSpecialToken { token, offset } => vec![("token", text(token)), ("offset", Number(*offset as u64))],
                T::UnknownTokenId { id } => vec![("id", Number(u64::from(*id)))],
                T::InvalidUtf8 { valid_up_to } | T::InvalidInputUtf8 { valid_up_to } => vec![("valid_up_to", Number(*valid_up_to as u64))],
                T::InvalidRankFile { line, reason } => vec![("line", Number(*line as u64)), ("reason", text(reason))],
                T::InvalidTokenizerFile { path, reason } => vec![("field", text(path)), ("reason", text(reason))],
                T::TokenizerFileNeeded { model, tokenizer, origin } => {
                    vec![("model", text(model)), ("tokenizer", text(tokenizer)), ("origin", text(origin))]
                }
                T::InvalidArgument { name, reason } => vec![("argument", text(name)), ("reason", text(reason))],
                _ => Vec::new(),
            },
            #[cfg(feature = "pricing")]
            Error::LogLine { line, error } => {
                let mut f = vec![("line", Number(*line as u64))];
                f.extend(Error::Pricing(error.clone()).fields().into_iter().filter(|(name, _)| *name != "line"));
                f
            }
            #[cfg(feature = "pricing")]
            Error::Pricing(e) => {
                use tokfare_pricing::Error as P;
                match e {
                    P::InvalidArgument { name, reason } => vec![("argument", text(name)), ("reason", text(reason))],
                    P::InvalidSchedule { path, reason } | P::InvalidCatalog { path, reason } => {
                        vec![("field", text(path)), ("reason", text(reason))]
                    }
                    P::InvalidUsage { line, path, reason } => {
                        let mut f: Vec<_> = line.iter().map(|l| ("line", Number(*l as u64))).collect();
                        f.extend([("field", text(path)), ("reason", text(reason))]);
                        f
                    }
                    P::UnknownModelPrice { model, suggestions, bundled_set } => {
                        let mut f = vec![("model", text(model)), ("suggestions", Texts(suggestions.clone()))];
                        f.extend(bundled_set.map(|s| ("bundled_set", text(s))));
                        f
                    }
                    P::ConflictingEvent { id } => vec![("event_id", text(id))],
                    P::CatalogUpdate { origin, reason } => vec![("path", text(origin)), ("reason", text(reason))],
                    P::UnsupportedPrice { model, field, reason } => {
                        vec![("model", text(model)), ("field", text(field)), ("reason", text(reason))]
                    }
                    P::Journal { path, reason } => vec![("path", text(path)), ("reason", text(reason))],
                    P::Store { store, reason } => vec![("path", text(store)), ("reason", text(reason))],
                    _ => Vec::new(),
                }
            }
        }
    }

    /// [`Error::fields`] as a JSON object (`{"line": 3, "field": "usage.prompt_tokens", ...}`),
    /// for the JavaScript packages.
    pub fn fields_json(&self) -> String {
        let mut out = String::from("{");
        for (i, (name, value)) in self.fields().iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&json_string(name));
            out.push(':');
            match value {
                FieldValue::Text(t) => out.push_str(&json_string(t)),
                FieldValue::Number(n) => out.push_str(&n.to_string()),
                FieldValue::Texts(list) => {
                    out.push('[');
                    out.push_str(&list.iter().map(|t| json_string(t)).collect::<Vec<_>>().join(","));
                    out.push(']');
                }
            }
        }
        out.push('}');
        out
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A usage-log line that could not be recorded: a line that is not an event is the
/// parser's `InvalidUsage`, which names its line already; an event the meter refused is
/// [`Error::LogLine`], so the line crosses into every binding as a field.
#[cfg(feature = "pricing")]
impl From<tokfare_pricing::meter::LogProblem> for Error {
    fn from(p: tokfare_pricing::meter::LogProblem) -> Error {
        match p.error {
            e @ tokfare_pricing::Error::InvalidUsage { line: Some(_), .. } => Error::Pricing(e),
            error => Error::LogLine { line: p.line, error },
        }
    }
}

/// Every error code of this build, each once: the tokenizer's, then the pricing crate's
/// (`invalid_argument` is in both).
pub static ERROR_CODES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let codes = tokfare_tokenizer::ERROR_CODES.iter();
    #[cfg(feature = "pricing")]
    let codes = codes.chain(tokfare_pricing::ERROR_CODES.iter().filter(|c| !tokfare_tokenizer::ERROR_CODES.contains(c)));
    codes.copied().collect()
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_name_what_went_wrong() {
        let e: Error =
            tokfare_tokenizer::Error::InvalidTokenizerFile { path: "$.model.merges[3]".into(), reason: "a \"b\"\n".into() }.into();
        assert_eq!(
            e.fields(),
            vec![("field", FieldValue::Text("$.model.merges[3]".into())), ("reason", FieldValue::Text("a \"b\"\n".into()))]
        );
        assert_eq!(e.fields_json(), r#"{"field":"$.model.merges[3]","reason":"a \"b\"\u000a"}"#);
        #[cfg(feature = "pricing")]
        {
            let e: Error =
                tokfare_pricing::Error::InvalidUsage { line: Some(7), path: "usage.prompt_tokens".into(), reason: "r".into() }.into();
            assert_eq!(e.fields_json(), r#"{"line":7,"field":"usage.prompt_tokens","reason":"r"}"#);
            let e: Error = tokfare_pricing::Error::UnknownModelPrice {
                model: "gpt-4oo".into(),
                suggestions: vec!["gpt-4o".into()],
                bundled_set: None,
            }
            .into();
            assert_eq!(e.fields_json(), r#"{"model":"gpt-4oo","suggestions":["gpt-4o"]}"#);
            let e: Error =
                tokfare_pricing::Error::UnknownModelPrice { model: "kimi-k2.5".into(), suggestions: vec![], bundled_set: Some("gtc-2026") }
                    .into();
            assert_eq!(e.fields_json(), r#"{"model":"kimi-k2.5","suggestions":[],"bundled_set":"gtc-2026"}"#);
        }
    }

    #[test]
    fn codes_are_each_once_and_delegate() {
        let mut seen = std::collections::HashSet::new();
        assert!(ERROR_CODES.iter().all(|c| seen.insert(*c)));
        let e: Error = tokfare_tokenizer::Error::UnknownModel { model: "m".into() }.into();
        assert_eq!(e.code(), "unknown_model");
        assert!(ERROR_CODES.contains(&"unknown_model"));
        #[cfg(feature = "pricing")]
        {
            let e: Error = tokfare_pricing::Error::Overflow("x".into()).into();
            assert_eq!(e.code(), "overflow");
            assert_eq!(e.to_string(), "overflow: x");
            assert!(ERROR_CODES.contains(&"conflicting_event"));
            let refused =
                tokfare_pricing::meter::LogProblem { line: 4, error: tokfare_pricing::Error::ConflictingEvent { id: "a".into() } };
            let e = Error::from(refused);
            assert_eq!(
                (e.code(), e.to_string()),
                ("conflicting_event", "line 4: event \"a\" was already recorded with different content".into())
            );
            assert_eq!(e.fields_json(), r#"{"line":4,"event_id":"a"}"#);
        }
    }
}
