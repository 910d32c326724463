//! The error type of the pricing crate. Every fallible function returns [`Result`].
//! (The tokenizer crate has its own; the `tokfare` crate joins the two.)
//!
//! Each variant has a stable snake_case [`Error::code`] that the bindings expose
//! (Python exception attribute, Node `error.code`, WASM `error.name`), so callers can
//! match on the kind of failure without parsing messages.

/// `Result` with tokfare's [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while pricing, metering or reading prices and usage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument outside its domain (zero chunk size, ...).
    #[error("invalid argument {name}: {reason}")]
    InvalidArgument {
        /// The parameter's name.
        name: &'static str,
        /// Why it is refused.
        reason: String,
    },
    /// A money amount, rate or currency that is not acceptable (negative rate, unknown
    /// currency code, amounts in two currencies added together ...).
    #[error("invalid money: {0}")]
    InvalidMoney(String),
    /// A schedule (declarative file or built in code) is malformed; `path` names the field.
    #[error("invalid schedule at {path}: {reason}")]
    InvalidSchedule {
        /// Where in the document, e.g. `schedules.pro.tiers[2].up_to` (`$` is the root).
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A price catalog (LiteLLM format) is malformed; `path` names the field.
    #[error("invalid catalog at {path}: {reason}")]
    InvalidCatalog {
        /// Where in the document, e.g. `gpt-4o.input_cost_per_token`.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A usage object or usage-log line that cannot be read.
    #[error("invalid usage{}: {path}: {reason}", line.map(|l| format!(" on line {l}")).unwrap_or_default())]
    InvalidUsage {
        /// 1-based line of a usage log, when reading one.
        line: Option<usize>,
        /// The field, e.g. `usage.prompt_tokens` (`$` is the whole object).
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No price is known for a model: never priced as $0. `suggestions` are close names;
    /// `bundled_set` a bundled schedule set that would price it, were it in the book.
    #[error("no price for model {model:?}{}{}", suggest(suggestions),
        bundled_set.map(|s| format!("; the bundled schedule set {s:?} prices it")).unwrap_or_default())]
    UnknownModelPrice {
        /// The model name asked for.
        model: String,
        /// Known model names that look alike, best first.
        suggestions: Vec<String>,
        /// A bundled schedule set whose patterns match the model (not in the book).
        bundled_set: Option<&'static str>,
    },
    /// A model's catalog entry has a price rule tokfare does not apply (or does not
    /// know): pricing it would be wrong, so it is refused — unless the catalog was
    /// loaded with `ignore_unknown_price_fields`, which the quote then states.
    #[error("cannot price {model:?}: its catalog entry has {field:?}, {reason}")]
    UnsupportedPrice {
        /// The model (as the catalog spells it).
        model: String,
        /// The catalog field tokfare cannot apply.
        field: String,
        /// Why (what the field is, and what tokfare does not do).
        reason: String,
    },
    /// Fetching or storing a catalog snapshot failed (network, HTTP status, content type,
    /// size, timeout, disk): the current snapshot is unchanged.
    #[error("catalog update from {origin}: {reason}")]
    CatalogUpdate {
        /// The URL, file or store path.
        origin: String,
        /// What failed.
        reason: String,
    },
    /// An event id already recorded with different content (a true duplicate is not an error).
    #[error("event {id:?} was already recorded with different content")]
    ConflictingEvent {
        /// The event id.
        id: String,
    },
    /// A meter journal could not be read or written.
    #[error("journal {path}: {reason}")]
    Journal {
        /// The journal file.
        path: String,
        /// What failed (I/O error or corrupt record, with its line).
        reason: String,
    },
    /// A meter store (SQLite, PostgreSQL) could not be opened, read or written.
    #[error("store {store}: {reason}")]
    Store {
        /// The store's path or URL (without password).
        store: String,
        /// What failed.
        reason: String,
    },
    /// A quantity or amount outside the representable range.
    #[error("overflow: {0}")]
    Overflow(String),
}

fn suggest(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", suggestions.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", "))
    }
}

/// Each variant's stable code, written once: `Error::code` and [`ERROR_CODES`] are both
/// made from this list (the match is exhaustive, so a new variant without a code does
/// not compile). The bindings map these codes to their own error classes and check
/// their tables against `ERROR_CODES` in their tests.
macro_rules! error_codes {
    ($($variant:ident => $code:literal,)*) => {
        impl Error {
            /// A stable machine-readable code for this kind of error.
            pub fn code(&self) -> &'static str {
                match self {
                    $(Error::$variant { .. } => $code,)*
                }
            }
        }

        /// Every error code, in the order of [`Error`]'s variants.
        pub const ERROR_CODES: &[&str] = &[$($code),*];
    };
}

error_codes! {
    InvalidArgument => "invalid_argument",
    InvalidMoney => "invalid_money",
    InvalidSchedule => "invalid_schedule",
    InvalidCatalog => "invalid_catalog",
    InvalidUsage => "invalid_usage",
    UnknownModelPrice => "unknown_model_price",
    UnsupportedPrice => "unsupported_price",
    CatalogUpdate => "catalog_update",
    ConflictingEvent => "conflicting_event",
    Journal => "journal",
    Store => "store",
    Overflow => "overflow",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_match_their_variants() {
        let mut seen = std::collections::HashSet::new();
        for code in ERROR_CODES {
            assert!(seen.insert(code), "{code} twice");
            assert!(!code.is_empty() && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'), "{code}");
        }
        assert_eq!(Error::Overflow("x".into()).code(), "overflow");
        assert_eq!(Error::InvalidArgument { name: "n", reason: "r".into() }.code(), "invalid_argument");
        assert!(ERROR_CODES.contains(&Error::Journal { path: String::new(), reason: String::new() }.code()));
    }
}
