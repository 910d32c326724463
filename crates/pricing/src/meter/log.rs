//! Reading JSON Lines usage logs (one [`UsageEvent`] per line, parsed with simd-json).
//!
//! A bad line is never skipped silently: with [`OnError::Stop`] the first one is the
//! error (its line number in [`Error::InvalidUsage`]); with [`OnError::Continue`] every
//! good line is still read and every bad one is listed in [`LogReport::errors`].
//! Blank lines are allowed and ignored.

use super::event::UsageEvent;
use super::{Meter, Recorded};
use crate::{Error, Result};
use std::io::{BufRead, Read};
use tokfare_json as json;

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

/// The longest line read: a provider response with its usage is kilobytes; a line
/// longer than this is an error (and skipped), not a buffer that grows with the input.
pub const MAX_LINE_BYTES: usize = 32 << 20;

/// The events of a log, one line at a time: `Ok((line number, event or error))` for
/// each non-blank line, in order; an I/O error is an `Err` and ends the iteration.
/// Memory holds one line, however long the log, and a line at most
/// [`MAX_LINE_BYTES`].
pub struct UsageLines<R> {
    reader: R,
    buffer: Vec<u8>,
    line_number: usize,
    done: bool,
}

impl<R: BufRead> UsageLines<R> {
    /// Reads `reader` line by line.
    pub fn new(reader: R) -> Self {
        UsageLines { reader, buffer: Vec::new(), line_number: 0, done: false }
    }
}

impl<R: BufRead> Iterator for UsageLines<R> {
    type Item = Result<(usize, Result<UsageEvent>)>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            self.buffer.clear();
            let n = match (&mut self.reader).take(MAX_LINE_BYTES as u64 + 1).read_until(b'\n', &mut self.buffer) {
                Ok(n) => n,
                Err(e) => {
                    self.done = true;
                    let line = self.line_number + 1;
                    return Some(Err(Error::InvalidUsage { line: Some(line), path: "$".into(), reason: format!("read error: {e}") }));
                }
            };
            if n == 0 {
                self.done = true;
                break;
            }
            self.line_number += 1;
            if self.buffer.len() > MAX_LINE_BYTES && self.buffer.last() != Some(&b'\n') {
                // Too long: skip to the end of the line, keeping nothing of it.
                let line = self.line_number;
                let skipped = skip_line(&mut self.reader);
                self.buffer = Vec::new();
                let error = match skipped {
                    Ok(_) => Error::InvalidUsage {
                        line: Some(line),
                        path: "$".into(),
                        reason: format!("the line is longer than {} MiB", MAX_LINE_BYTES >> 20),
                    },
                    Err(e) => {
                        self.done = true;
                        Error::InvalidUsage { line: Some(line), path: "$".into(), reason: format!("read error: {e}") }
                    }
                };
                return Some(Ok((line, Err(error))));
            }
            if self.buffer.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let line = self.line_number;
            return Some(Ok((line, parse_line(&mut self.buffer).map_err(|e| with_line(e, line)))));
        }
        None
    }
}

/// Reads and drops bytes up to and including the next newline (or the end).
fn skip_line(reader: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            return Ok(());
        }
        match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => {
                reader.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = chunk.len();
                reader.consume(n);
            }
        }
    }
}

/// Reads a whole log into memory (see [`UsageLines`] to stream one, and
/// [`Meter::record_log`](super::Meter::record_log) to record one).
pub fn read_usage_log(reader: impl BufRead, on_error: OnError) -> Result<LogReport> {
    let mut report = LogReport::default();
    for item in UsageLines::new(reader) {
        let (line, parsed) = item?;
        report.lines += 1;
        match parsed {
            Ok(event) => {
                report.events.push(event);
                report.event_lines.push(line);
            }
            Err(e) => match on_error {
                OnError::Stop => return Err(e),
                OnError::Continue => report.errors.push(e),
            },
        }
    }
    Ok(report)
}

/// A line of a log that could not be recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogProblem {
    /// Its 1-based line number.
    pub line: usize,
    /// What is wrong (a line that is not an event is an [`Error::InvalidUsage`] naming
    /// its line; an event the meter refuses keeps the meter's error:
    /// [`Error::ConflictingEvent`], [`Error::UnknownModelPrice`] ...).
    pub error: Error,
}

impl std::fmt::Display for LogProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.error {
            Error::InvalidUsage { line: Some(_), .. } => write!(f, "{}", self.error),
            other => write!(f, "line {}: {other}", self.line),
        }
    }
}

impl std::error::Error for LogProblem {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl From<LogProblem> for Error {
    fn from(p: LogProblem) -> Error {
        p.error
    }
}

/// What [`Meter::record_log`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogOutcome {
    /// Events recorded for the first time.
    pub recorded: usize,
    /// Events already recorded with the same content (counted once).
    pub duplicates: usize,
    /// Lines that could not be recorded (with [`OnError::Continue`]; with
    /// [`OnError::Stop`] the first one is the error instead).
    pub problems: Vec<LogProblem>,
    /// Non-blank lines read.
    pub lines: usize,
}

impl Meter {
    /// Records every event of a JSON Lines usage log, streaming (a batch of [`BATCH`](super::BATCH)
    /// lines in memory, one write to the store per batch).
    /// A redelivered event counts once; with [`OnError::Stop`] the first line that is
    /// not an event, or that the meter refuses, stops the reading (events before it stay
    /// recorded) and is the error; with [`OnError::Continue`] it is listed and the rest
    /// is recorded. An I/O error always stops.
    pub fn record_log(&mut self, reader: impl BufRead, on_error: OnError) -> std::result::Result<LogOutcome, LogProblem> {
        let mut outcome = LogOutcome::default();
        let mut batch: Vec<(usize, UsageEvent)> = Vec::with_capacity(super::BATCH);
        for item in UsageLines::new(reader) {
            let (line, parsed) = item.map_err(|error| {
                let line = match &error {
                    Error::InvalidUsage { line: Some(l), .. } => *l,
                    _ => outcome.lines + 1,
                };
                LogProblem { line, error }
            })?;
            outcome.lines += 1;
            match parsed {
                Ok(event) => {
                    batch.push((line, event));
                    if batch.len() >= super::BATCH {
                        self.record_lines(&mut batch, on_error, &mut outcome)?;
                    }
                }
                Err(error) => {
                    // Lines before a bad one are recorded before it is reported.
                    self.record_lines(&mut batch, on_error, &mut outcome)?;
                    let problem = LogProblem { line, error };
                    match on_error {
                        OnError::Stop => return Err(problem),
                        OnError::Continue => outcome.problems.push(problem),
                    }
                }
            }
        }
        self.record_lines(&mut batch, on_error, &mut outcome)?;
        Ok(outcome)
    }

    /// Records a batch of parsed lines in one write; the first problem is the error with
    /// [`OnError::Stop`] (nothing after it recorded).
    fn record_lines(
        &mut self,
        batch: &mut Vec<(usize, UsageEvent)>,
        on_error: OnError,
        outcome: &mut LogOutcome,
    ) -> std::result::Result<(), LogProblem> {
        if batch.is_empty() {
            return Ok(());
        }
        let (lines, events): (Vec<usize>, Vec<UsageEvent>) = batch.drain(..).unzip();
        let first_line = lines[0];
        let results = self.record_batch(events, on_error).map_err(|error| LogProblem { line: first_line, error })?;
        for (line, result) in lines.into_iter().zip(results) {
            match result {
                Some(Ok(Recorded::New { .. })) => outcome.recorded += 1,
                Some(Ok(Recorded::Duplicate)) => outcome.duplicates += 1,
                Some(Err(error)) => {
                    let problem = LogProblem { line, error };
                    match on_error {
                        OnError::Stop => return Err(problem),
                        OnError::Continue => outcome.problems.push(problem),
                    }
                }
                None => {}
            }
        }
        Ok(())
    }
}

/// One line of a usage log (a JSON event in any format [`UsageEvent::from_value`]
/// reads), as a log reader parses each line: what an engine holding log lines in a
/// column parses them with. Errors are [`Error::InvalidUsage`] without a line number.
pub fn parse_usage_line(line: &str) -> Result<UsageEvent> {
    if line.len() > MAX_LINE_BYTES {
        return Err(Error::InvalidUsage {
            line: None,
            path: "$".into(),
            reason: format!("the line is longer than {} MiB", MAX_LINE_BYTES >> 20),
        });
    }
    parse_line(&mut line.as_bytes().to_vec())
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
