//! Reading JSON Lines usage logs (one [`UsageEvent`] per line, parsed with simd-json).
//!
//! A bad line is never skipped silently: with [`OnError::Stop`] the first one is the
//! error (its line number in [`Error::InvalidUsage`]); with [`OnError::Continue`] every
//! good line is still read and every bad one is listed in [`LogReport::errors`].
//! Blank lines are allowed and ignored.

use super::event::UsageEvent;
use crate::json;
use crate::{Error, Result};
use std::io::BufRead;

/// What to do with a bad line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnError {
    /// Fail on the first bad line.
    #[default]
    Stop,
    /// Read every good line and report the bad ones.
    Continue,
}

/// The result of reading a log.
#[derive(Clone, Debug, Default)]
pub struct LogReport {
    /// Events of the good lines, in file order.
    pub events: Vec<UsageEvent>,
    /// The 1-based line of each event (same order as `events`).
    pub event_lines: Vec<usize>,
    /// One error per bad line ([`Error::InvalidUsage`] with its line number).
    pub errors: Vec<Error>,
    /// Non-blank lines read.
    pub lines: usize,
}

/// Reads a whole log.
pub fn read_usage_log(reader: impl BufRead, on_error: OnError) -> Result<LogReport> {
    let mut report = LogReport::default();
    let mut buffer = Vec::new();
    let mut reader = reader;
    let mut line_number = 0;
    loop {
        buffer.clear();
        let n = reader.read_until(b'\n', &mut buffer).map_err(|e| Error::InvalidUsage {
            line: Some(line_number + 1),
            path: "$".into(),
            reason: format!("read error: {e}"),
        })?;
        if n == 0 {
            break;
        }
        line_number += 1;
        if buffer.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        report.lines += 1;
        match parse_line(&mut buffer) {
            Ok(event) => {
                report.events.push(event);
                report.event_lines.push(line_number);
            }
            Err(e) => {
                let e = with_line(e, line_number);
                match on_error {
                    OnError::Stop => return Err(e),
                    OnError::Continue => report.errors.push(e),
                }
            }
        }
    }
    Ok(report)
}

fn parse_line(bytes: &mut [u8]) -> Result<UsageEvent> {
    if std::str::from_utf8(bytes).is_err() {
        return Err(Error::InvalidUsage { line: None, path: "$".into(), reason: "line is not valid UTF-8".into() });
    }
    let value = json::parse(bytes, |reason| Error::InvalidUsage { line: None, path: "$".into(), reason })?;
    UsageEvent::from_value(&value)
}

fn with_line(e: Error, line: usize) -> Error {
    match e {
        Error::InvalidUsage { path, reason, .. } => Error::InvalidUsage { line: Some(line), path, reason },
        other => Error::InvalidUsage { line: Some(line), path: "$".into(), reason: other.to_string() },
    }
}
