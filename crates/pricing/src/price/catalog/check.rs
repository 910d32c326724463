//! `tokfare catalog check`: every key of a LiteLLM-format file, classified as
//! [`fields::classify`] says, with how many entries use it, and every model tokfare
//! refuses to price (and why). On the bundled snapshot it reports no unknown price field.

use super::fields::{self, FieldKind};
use super::{bad, is_model_key, Catalog};
use crate::Result;
use std::collections::BTreeMap;
use std::fmt::Write;
use tokfare_json as json;

/// One key of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldReport {
    /// The key.
    pub key: String,
    /// What it is to tokfare.
    pub kind: FieldKind,
    /// Entries that have it.
    pub entries: usize,
}

/// What `catalog check` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogCheck {
    /// Model entries (alias rows included).
    pub entries: usize,
    /// `alias_of` rows.
    pub aliases: usize,
    /// Every key, sorted by kind then name.
    pub fields: Vec<FieldReport>,
    /// Models tokfare refuses to price: `(model, field, reason)`.
    pub refused: Vec<(String, String, String)>,
}

impl CatalogCheck {
    /// Keys of one kind (by [`FieldKind::name`]).
    pub fn count(&self, kind: &str) -> usize {
        self.fields.iter().filter(|f| f.kind.name() == kind).count()
    }

    /// Keys named like a price that tokfare does not know.
    pub fn unknown_price_fields(&self) -> Vec<&FieldReport> {
        self.fields.iter().filter(|f| f.kind == FieldKind::UnknownPrice).collect()
    }

    /// The report as text: a summary, then every non-metadata key with its kind.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{} entries ({} aliases), {} distinct keys", self.entries, self.aliases, self.fields.len());
        for kind in ["applied", "unmetered", "unsupported", "inert", "metadata", "unknown price", "unknown"] {
            let _ = writeln!(out, "  {kind:<14}{:>5} keys", self.count(kind));
        }
        let _ = writeln!(
            out,
            "  {:<14}{:>5} models (pricing them is an error unless unknown price fields are ignored)",
            "refused",
            self.refused.len()
        );
        for f in self.fields.iter().filter(|f| !matches!(f.kind, FieldKind::Metadata)) {
            let why = match f.kind {
                FieldKind::Unmetered(w) | FieldKind::Unsupported(w) | FieldKind::Inert(w) => format!(" — {w}"),
                _ => String::new(),
            };
            let _ = writeln!(out, "{:<14}{:>6}  {}{why}", f.kind.name(), f.entries, f.key);
        }
        for (model, field, reason) in &self.refused {
            let _ = writeln!(out, "refused       {model}: {field}: {reason}");
        }
        out
    }
}

impl Catalog {
    /// Classifies every key of a LiteLLM-format document and lists the models tokfare
    /// refuses to price (see the module docs).
    pub fn check_litellm_json(text: &str) -> Result<CatalogCheck> {
        let catalog = Catalog::from_litellm_json(text, "check")?;
        let mut bytes = text.as_bytes().to_vec();
        let root = json::parse(&mut bytes, |reason| bad("$", reason))?;
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        let (mut entries, mut aliases) = (0, 0);
        for (model, v) in json::entries(&root) {
            if !is_model_key(model) {
                continue;
            }
            entries += 1;
            if json::get(v, "alias_of").is_some() {
                aliases += 1;
            }
            for (key, _) in json::entries(v) {
                *counts.entry(key.to_string()).or_default() += 1;
            }
        }
        let mut fields: Vec<FieldReport> =
            counts.into_iter().map(|(key, entries)| FieldReport { kind: fields::classify(&key), key, entries }).collect();
        fields.sort_by(|a, b| a.kind.name().cmp(b.kind.name()).then_with(|| a.key.cmp(&b.key)));
        let refused = catalog
            .entries()
            .filter_map(|e| e.refusal.as_ref().map(|(field, reason)| (e.model.clone(), field.clone(), reason.clone())))
            .collect();
        Ok(CatalogCheck { entries, aliases, fields, refused })
    }

    /// [`Catalog::check_litellm_json`] of the bundled snapshot.
    pub fn check_bundled() -> Result<CatalogCheck> {
        Catalog::check_litellm_json(super::BUNDLED)
    }
}
