//! Any text as a schedule set, in TOML and in JSON: a set or an error naming the
//! field, never a panic or a hang. A set that loads prices a request.
//!
//!     cd fuzz && cargo +nightly fuzz run schedule seeds/schedule   (or: scripts/test.sh fuzz)
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokfare_pricing::price::{Request, Schedule, ScheduleSet, Usage};

fuzz_target!(|text: &str| {
    for set in [ScheduleSet::from_toml(text), ScheduleSet::from_json(text)].into_iter().flatten() {
        for entry in &set.entries {
            let request = Request::new(Usage::tokens(1_000, 100));
            let _ = entry.schedule.price_request(&request);
        }
    }
});
