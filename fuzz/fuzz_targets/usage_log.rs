//! Any bytes as a usage log (JSON Lines of events around providers' usage objects), as
//! one provider usage object and as a priced record (a journal line): events or errors
//! naming the line and field, never a panic, a hang or unbounded memory. Good lines are
//! priced by the bundled catalog (or refused with a typed error) and invoiced, by the
//! full meter and by the summing one `tokfare price` uses, with the same invoice.
//!
//!     cd fuzz && cargo +nightly fuzz run usage_log seeds/usage_log   (or: scripts/test.sh fuzz)
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokfare_pricing::meter::{read_usage_log, InvoiceOptions, Meter, OnError, PricedEvent};
use tokfare_pricing::price::{parse_usage, PriceBook};

fuzz_target!(|data: &[u8]| {
    let report = read_usage_log(data, OnError::Continue).expect("reading from memory cannot fail");
    for e in &report.errors {
        assert!(matches!(e, tokfare_pricing::Error::InvalidUsage { line: Some(_), .. }), "{e:?}");
    }
    let options = InvoiceOptions::default();
    let mut meter = Meter::new(PriceBook::bundled());
    let mut summing = Meter::summing(PriceBook::bundled(), &options);
    let _ = meter.record_batch(report.events.clone(), OnError::Continue);
    let _ = summing.record_batch(report.events, OnError::Continue);
    let full = meter.invoice(&options).map(|i| (i.to_json(), i.to_csv()));
    if let Ok(invoice) = &full {
        assert_eq!(Some(invoice), summing.invoice(&options).map(|i| (i.to_json(), i.to_csv())).ok().as_ref());
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_usage(text, None);
        for line in text.lines() {
            if let Ok(record) = PricedEvent::from_json(line) {
                assert_eq!(PricedEvent::from_json(&record.to_json()).ok(), Some(record));
            }
        }
    }
});
