//! Any bytes as a usage log (JSON Lines of events around providers' usage objects) and
//! as one provider usage object: events or errors naming the line and field, never a
//! panic, a hang or unbounded memory. Good lines are priced by the bundled catalog
//! (or refused with a typed error) and invoiced.
//!
//!     cd fuzz && cargo +nightly fuzz run usage_log seeds/usage_log   (or: scripts/test.sh fuzz)
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokfare_pricing::meter::{read_usage_log, InvoiceOptions, Meter, OnError};
use tokfare_pricing::price::{parse_usage, PriceBook};

fuzz_target!(|data: &[u8]| {
    let report = read_usage_log(data, OnError::Continue).expect("reading from memory cannot fail");
    for e in &report.errors {
        assert!(matches!(e, tokfare_pricing::Error::InvalidUsage { line: Some(_), .. }), "{e:?}");
    }
    let mut meter = Meter::new(PriceBook::bundled());
    let _ = meter.record_batch(report.events, OnError::Continue);
    let _ = meter.invoice(&InvoiceOptions::default()).map(|i| (i.to_json(), i.to_csv()));
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_usage(text, None);
    }
});
