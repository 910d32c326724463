//! Any text as a LiteLLM-format price catalog: a catalog or an error naming the field,
//! never a panic, a hang or unbounded memory; its check report too. A catalog that
//! loads answers a lookup.
//!
//!     cd fuzz && cargo +nightly fuzz run catalog seeds/catalog   (or: scripts/test.sh fuzz)
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokfare_pricing::price::Catalog;

fuzz_target!(|text: &str| {
    if let Ok(catalog) = Catalog::from_litellm_json(text, "fuzz") {
        let _ = catalog.lookup("gpt-4o");
        let _ = catalog.schedule("m");
    }
    let _ = Catalog::check_litellm_json(text);
});
