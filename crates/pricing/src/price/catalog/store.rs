//! Catalog snapshots on disk: updating prices without a release, reproducibly.
//!
//! A [`CatalogStore`] is a directory of LiteLLM-format snapshots, each kept byte for byte
//! as fetched (`<fetched>-<sha256 prefix>.json`) with a sidecar (`.meta.json`: source,
//! sha256, fetch time, entries). A snapshot is written to a temporary file, synced and
//! renamed; its sidecar is written the same way last, and is the commit point: a failed
//! or partial update leaves no sidecar, so the store still answers with the previous
//! snapshot. Snapshots are never deleted, so the catalog in force at any date can be
//! found again ([`CatalogStore::at`]): an invoice for last month prices the same after
//! this month's update.
//!
//! Fetching over HTTP is the front crate's (`tokfare::catalog_update`); this module
//! validates, diffs and stores bytes, and needs no network.

use super::{bad, fields, Catalog, FieldKind};
use crate::{Error, Result};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use simd_json::prelude::*;
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use tokfare_json as json;

/// One stored snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// The snapshot file (LiteLLM format, as fetched).
    pub path: PathBuf,
    /// Where it came from (a URL or a file).
    pub source: String,
    /// Its sha256 (hex).
    pub sha256: String,
    /// When it was fetched (it is in force from then on).
    pub fetched_at: DateTime<Utc>,
    /// Its model entries.
    pub entries: usize,
}

/// One price that changed between two snapshots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceChange {
    /// The model.
    pub model: String,
    /// The price field (`input_cost_per_token` ...).
    pub field: String,
    /// The price before.
    pub before: Decimal,
    /// The price after.
    pub after: Decimal,
}

impl PriceChange {
    /// The change in percent of the price before (`None` when it was 0).
    pub fn percent(&self) -> Option<Decimal> {
        (!self.before.is_zero()).then(|| ((self.after - self.before) / self.before * Decimal::ONE_HUNDRED).round_dp(2).normalize())
    }
}

/// What changed between two catalogs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CatalogDiff {
    /// Models only in the new one.
    pub added: Vec<String>,
    /// Models only in the old one.
    pub removed: Vec<String>,
    /// Per-token and per-unit prices that changed, by model then field.
    pub changed: Vec<PriceChange>,
}

/// What [`CatalogStore::store`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateReport {
    /// The new snapshot, or `None` when it is byte for byte the current one.
    pub stored: Option<Snapshot>,
    /// What it was compared with: a snapshot file, or `bundled`.
    pub previous: String,
    /// The changes against it.
    pub diff: CatalogDiff,
}

impl Snapshot {
    /// `{"path", "source", "sha256", "fetched_at", "entries"}`, what the bindings return.
    pub fn to_json(&self) -> String {
        format!(
            "{{\"path\": {}, \"source\": {}, \"sha256\": {}, \"fetched_at\": {}, \"entries\": {}}}",
            quoted(&self.path.display().to_string()),
            quoted(&self.source),
            quoted(&self.sha256),
            quoted(&self.fetched_at.to_rfc3339_opts(SecondsFormat::Millis, true)),
            self.entries
        )
    }
}

impl UpdateReport {
    /// `{"stored": snapshot or null, "previous", "added", "removed", "changed": [{"model",
    /// "field", "before", "after", "percent"}]}` (prices as exact decimal strings), what
    /// the bindings return.
    pub fn to_json(&self) -> String {
        let list = |items: &[String]| items.iter().map(|m| quoted(m)).collect::<Vec<_>>().join(", ");
        let changed: Vec<String> = self
            .diff
            .changed
            .iter()
            .map(|c| {
                format!(
                    "{{\"model\": {}, \"field\": {}, \"before\": \"{}\", \"after\": \"{}\", \"percent\": {}}}",
                    quoted(&c.model),
                    quoted(&c.field),
                    c.before.normalize(),
                    c.after.normalize(),
                    c.percent().map_or("null".to_string(), |p| format!("\"{p}\""))
                )
            })
            .collect();
        format!(
            "{{\"stored\": {}, \"previous\": {}, \"added\": [{}], \"removed\": [{}], \"changed\": [{}]}}",
            self.stored.as_ref().map_or("null".to_string(), Snapshot::to_json),
            quoted(&self.previous),
            list(&self.diff.added),
            list(&self.diff.removed),
            changed.join(", ")
        )
    }

    /// A human summary: counts, then each change.
    pub fn to_text(&self) -> String {
        let mut out = match &self.stored {
            Some(s) => format!("stored {} ({} entries, sha256 {})\n", s.path.display(), s.entries, s.sha256),
            None => "unchanged: the source is the current snapshot\n".to_string(),
        };
        let d = &self.diff;
        out.push_str(&format!(
            "against {}: {} added, {} removed, {} prices changed\n",
            self.previous,
            d.added.len(),
            d.removed.len(),
            d.changed.len()
        ));
        for m in &d.added {
            out.push_str(&format!("+ {m}\n"));
        }
        for m in &d.removed {
            out.push_str(&format!("- {m}\n"));
        }
        for c in &d.changed {
            let pct = c.percent().map(|p| format!(" ({}{p}%)", if p.is_sign_positive() { "+" } else { "" })).unwrap_or_default();
            out.push_str(&format!("~ {} {}: {} -> {}{pct}\n", c.model, c.field, c.before.normalize(), c.after.normalize()));
        }
        out
    }
}

/// A directory of catalog snapshots (see the module docs).
#[derive(Clone, Debug)]
pub struct CatalogStore {
    dir: PathBuf,
}

fn store_error(path: &Path, reason: impl std::fmt::Display) -> Error {
    Error::CatalogUpdate { origin: path.display().to_string(), reason: reason.to_string() }
}

impl CatalogStore {
    /// The store in `dir` (created if missing).
    pub fn open(dir: impl AsRef<Path>) -> Result<CatalogStore> {
        let dir = dir.as_ref().to_path_buf();
        fs::create_dir_all(&dir).map_err(|e| store_error(&dir, e))?;
        Ok(CatalogStore { dir })
    }

    /// The user's store: `$TOKFARE_DATA_DIR/catalogs`, else
    /// `$XDG_DATA_HOME/tokfare/catalogs`, else `~/.local/share/tokfare/catalogs`.
    pub fn default_dir() -> Option<PathBuf> {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        if let Some(d) = var("TOKFARE_DATA_DIR") {
            return Some(d.join("catalogs"));
        }
        let data = var("XDG_DATA_HOME").or_else(|| var("HOME").map(|h| h.join(".local").join("share")))?;
        Some(data.join("tokfare").join("catalogs"))
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every committed snapshot, oldest first.
    pub fn history(&self) -> Result<Vec<Snapshot>> {
        let mut out = Vec::new();
        for entry in fs::read_dir(&self.dir).map_err(|e| store_error(&self.dir, e))? {
            let path = entry.map_err(|e| store_error(&self.dir, e))?.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
            let Some(stem) = name.strip_suffix(".meta.json") else { continue };
            let text = fs::read_to_string(&path).map_err(|e| store_error(&path, e))?;
            out.push(read_meta(&path, &text, self.dir.join(format!("{stem}.json")))?);
        }
        out.sort_by(|a, b| a.fetched_at.cmp(&b.fetched_at).then_with(|| a.path.cmp(&b.path)));
        Ok(out)
    }

    /// The latest snapshot, if any.
    pub fn current(&self) -> Result<Option<Snapshot>> {
        Ok(self.history()?.pop())
    }

    /// The snapshot in force on `date` (UTC): the latest fetched on or before that day.
    pub fn at(&self, date: NaiveDate) -> Result<Option<Snapshot>> {
        Ok(self.history()?.into_iter().rev().find(|s| s.fetched_at.date_naive() <= date))
    }

    /// The catalog in force on `date` (`YYYY-MM-DD`, UTC): the snapshot fetched last on or
    /// before that day, else the bundled one.
    pub fn catalog_on(&self, date: &str) -> Result<Catalog> {
        let day = NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .map_err(|_| Error::InvalidArgument { name: "catalog_at", reason: format!("{date:?} is not a date (YYYY-MM-DD)") })?;
        match self.at(day)? {
            Some(snapshot) => self.load(&snapshot),
            None => Ok((*Catalog::bundled()).clone()),
        }
    }

    /// A snapshot's catalog, after checking its bytes still have its sha256.
    pub fn load(&self, snapshot: &Snapshot) -> Result<Catalog> {
        let bytes = fs::read(&snapshot.path).map_err(|e| store_error(&snapshot.path, e))?;
        if sha256_hex(&bytes) != snapshot.sha256 {
            return Err(store_error(&snapshot.path, "its sha256 is not the one recorded when it was stored: refusing a changed snapshot"));
        }
        let text = String::from_utf8(bytes).map_err(|e| store_error(&snapshot.path, e))?;
        Catalog::from_litellm_json(
            &text,
            &format!("{} (sha256 {}, fetched {})", snapshot.source, &snapshot.sha256[..12], snapshot.fetched_at),
        )
    }

    /// Validates `bytes` as a LiteLLM-format catalog, diffs it against the current
    /// snapshot (or the bundled one) and stores it, unless it is the current one.
    pub fn store(&self, bytes: &[u8], source: &str, fetched_at: DateTime<Utc>) -> Result<UpdateReport> {
        let text = std::str::from_utf8(bytes).map_err(|e| bad("$", format!("{source} is not UTF-8: {e}")))?;
        let catalog = Catalog::from_litellm_json(text, source)?;
        let sha256 = sha256_hex(bytes);
        let current = self.current()?;
        let (previous, previous_text) = match &current {
            Some(s) => (s.path.display().to_string(), fs::read_to_string(&s.path).map_err(|e| store_error(&s.path, e))?),
            None => ("bundled".to_string(), super::BUNDLED.to_string()),
        };
        let diff = diff(&previous_text, text)?;
        if current.as_ref().is_some_and(|s| s.sha256 == sha256) {
            return Ok(UpdateReport { stored: None, previous, diff });
        }
        let stem = format!("{}-{}", fetched_at.format("%Y%m%dT%H%M%S%.3fZ"), &sha256[..16]);
        let path = self.dir.join(format!("{stem}.json"));
        write_atomically(&path, bytes)?;
        let snapshot = Snapshot { path, source: source.to_string(), sha256, fetched_at, entries: catalog.len() };
        write_atomically(&self.dir.join(format!("{stem}.meta.json")), meta_json(&snapshot).as_bytes())?;
        Ok(UpdateReport { stored: Some(snapshot), previous, diff })
    }
}

/// `t` as a JSON string (the meter's escaping: quotes, backslashes, control characters).
fn quoted(t: &str) -> String {
    let mut out = String::with_capacity(t.len() + 2);
    crate::meter::push_json_string(&mut out, t);
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Write to a temporary file in the same directory, sync, rename over `path`, sync the
/// directory: readers see the old file or the whole new one.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let io = |e: std::io::Error| store_error(path, e);
    let mut file = File::create(&tmp).map_err(io)?;
    file.write_all(bytes).and_then(|_| file.sync_all()).map_err(io)?;
    fs::rename(&tmp, path).map_err(io)?;
    if let Some(dir) = path.parent() {
        File::open(dir).and_then(|d| d.sync_all()).map_err(io)?;
    }
    Ok(())
}

fn meta_json(s: &Snapshot) -> String {
    format!(
        "{{\"source\": {}, \"sha256\": {}, \"fetched_at\": {}, \"entries\": {}}}\n",
        quoted(&s.source),
        quoted(&s.sha256),
        quoted(&s.fetched_at.to_rfc3339_opts(SecondsFormat::Millis, true)),
        s.entries
    )
}

fn read_meta(path: &Path, text: &str, json_path: PathBuf) -> Result<Snapshot> {
    let mut bytes = text.as_bytes().to_vec();
    let v = json::parse(&mut bytes, |r| store_error(path, r))?;
    let field =
        |k: &str| json::get(&v, k).and_then(json::as_str).map(str::to_string).ok_or_else(|| store_error(path, format!("missing {k}")));
    let fetched_at = crate::price::parse_timestamp("fetched_at", &field("fetched_at")?).map_err(|e| store_error(path, e))?;
    let entries = json::get(&v, "entries").and_then(|e| e.as_u64()).ok_or_else(|| store_error(path, "missing entries"))? as usize;
    Ok(Snapshot { path: json_path, source: field("source")?, sha256: field("sha256")?, fetched_at, entries })
}

/// Models added and removed, and every per-token or per-unit price that changed.
pub fn diff(before: &str, after: &str) -> Result<CatalogDiff> {
    let prices = |text: &str| -> Result<BTreeMap<String, BTreeMap<String, Decimal>>> {
        let mut bytes = text.as_bytes().to_vec();
        let root = json::parse(&mut bytes, |r| bad("$", r))?;
        let mut out = BTreeMap::new();
        for (model, v) in json::entries(&root) {
            if !super::is_model_key(model) || !json::is_object(v) {
                continue;
            }
            let mut fields_of = BTreeMap::new();
            for (key, value) in json::entries(v) {
                if fields::classify(key) != FieldKind::Applied {
                    continue;
                }
                let number = value.as_f64().or_else(|| value.as_u64().map(|u| u as f64));
                if let Some(p) = number.and_then(|f| super::super::money::decimal_from_f64(f).ok()) {
                    fields_of.insert(key.to_string(), p);
                }
            }
            out.insert(model.to_string(), fields_of);
        }
        Ok(out)
    };
    let (old, new) = (prices(before)?, prices(after)?);
    let mut d = CatalogDiff {
        added: new.keys().filter(|m| !old.contains_key(*m)).cloned().collect(),
        removed: old.keys().filter(|m| !new.contains_key(*m)).cloned().collect(),
        changed: Vec::new(),
    };
    for (model, fields_new) in &new {
        let Some(fields_old) = old.get(model) else { continue };
        for (field, after) in fields_new {
            if let Some(before) = fields_old.get(field).filter(|b| *b != after) {
                d.changed.push(PriceChange { model: model.clone(), field: field.clone(), before: *before, after: *after });
            }
        }
    }
    Ok(d)
}
