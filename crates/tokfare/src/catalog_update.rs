//! Updating the price catalog without a release: fetch LiteLLM's published price file
//! (or another URL, or a local file), then validate, diff and store it as a snapshot
//! ([`CatalogStore`]). A failed or partial download changes nothing: the bytes are
//! stored only once complete and valid.
//!
//! ```no_run
//! use tokfare::catalog_update::{update, UpdateOptions, DEFAULT_URL};
//! use tokfare::price::store::CatalogStore;
//! let store = CatalogStore::open(CatalogStore::default_dir().expect("a home directory"))?;
//! let report = update(&store, DEFAULT_URL, &UpdateOptions::default())?;
//! print!("{}", report.to_text());
//! # Ok::<(), tokfare::pricing::Error>(())
//! ```

use std::io::Read;
use std::time::Duration;
use tokfare_pricing::price::store::{CatalogStore, UpdateReport};
use tokfare_pricing::{Error, Result};

/// LiteLLM's published price file.
pub const DEFAULT_URL: &str = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json";

/// Limits of one fetch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UpdateOptions {
    /// The whole request, connection to last byte (default 60 s).
    pub timeout: Duration,
    /// The largest document accepted (default 64 MiB; LiteLLM's is ~3.5 MB).
    pub max_bytes: u64,
}

impl Default for UpdateOptions {
    fn default() -> Self {
        UpdateOptions { timeout: Duration::from_secs(60), max_bytes: 64 << 20 }
    }
}

fn failed(source: &str, reason: impl std::fmt::Display) -> Error {
    Error::CatalogUpdate { origin: source.to_string(), reason: reason.to_string() }
}

/// The bytes of `source`: an `http://` or `https://` URL (status 200, a JSON or text
/// content type, at most `max_bytes`, within `timeout`), else a file path.
pub fn fetch(source: &str, options: &UpdateOptions) -> Result<Vec<u8>> {
    if !(source.starts_with("http://") || source.starts_with("https://")) {
        let file = std::fs::File::open(source).map_err(|e| failed(source, e))?;
        let mut bytes = Vec::new();
        file.take(options.max_bytes + 1).read_to_end(&mut bytes).map_err(|e| failed(source, e))?;
        if bytes.len() as u64 > options.max_bytes {
            return Err(failed(source, format!("larger than {} bytes", options.max_bytes)));
        }
        return Ok(bytes);
    }
    let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(options.timeout)).http_status_as_error(false).build().into();
    let mut response = agent.get(source).call().map_err(|e| failed(source, e))?;
    let status = response.status();
    if status != 200 {
        return Err(failed(source, format!("HTTP status {status}")));
    }
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !(essence == "application/json" || essence == "text/plain" || essence.ends_with("+json")) {
        return Err(failed(source, format!("content type {content_type:?} is not JSON (application/json or text/plain)")));
    }
    response.body_mut().with_config().limit(options.max_bytes).read_to_vec().map_err(|e| failed(source, e))
}

/// The store in `dir`, else in the user's default directory
/// ([`CatalogStore::default_dir`]).
pub fn open_store(dir: Option<&str>) -> Result<CatalogStore> {
    let dir = match dir {
        Some(d) => std::path::PathBuf::from(d),
        None => CatalogStore::default_dir().ok_or_else(|| Error::InvalidArgument {
            name: "catalog_dir",
            reason: "no home directory to keep catalogs in: give one".into(),
        })?,
    };
    CatalogStore::open(dir)
}

/// Fetches `source`, validates it as a LiteLLM-format catalog, diffs it against the
/// store's current snapshot (or the bundled one) and stores it (see [`CatalogStore::store`]).
pub fn update(store: &CatalogStore, source: &str, options: &UpdateOptions) -> Result<UpdateReport> {
    let bytes = fetch(source, options)?;
    store.store(&bytes, source, std::time::SystemTime::now().into())
}
