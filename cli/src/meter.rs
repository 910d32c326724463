//! `tokfare meter import|export|invoice|check --store URL`: argument handling and
//! printing only; the store and every rule live in `tokfare::meter`.

use crate::pricing::{open_log, problem_text, InvoiceArgs, Prices};
use crate::Failure;
use clap::{Args, Subcommand, ValueEnum};
use std::io::Write;
use tokfare::meter::{Fsync, Meter, OnError, StoreUrl, TimeRange};

#[derive(Args)]
pub struct StoreArg {
    /// The meter store: an SQLite file (`meter.db`, `sqlite:///abs/path.db`), a
    /// PostgreSQL database (`postgresql://user@host/db`), a JSON Lines journal
    /// (`meter.jsonl`).
    #[arg(long, value_name = "URL")]
    store: String,
    /// When written records reach the disk: always (each batch before it is
    /// acknowledged), never (left to the OS), every:N.
    #[arg(long, default_value = "always")]
    fsync: String,
}

impl StoreArg {
    /// Opens (creating if needed) the store, to write to it.
    fn open(&self, prices: &Prices) -> Result<Meter, Failure> {
        let fsync = self.fsync.parse::<Fsync>().map_err(Failure::usage)?;
        Ok(Meter::open_store(prices.book()?, &self.store, fsync).map_err(|e| e.to_string())?)
    }

    /// Opens a store that must exist already (export, invoice, check).
    fn open_existing(&self, prices: &Prices) -> Result<Meter, Failure> {
        let fsync = self.fsync.parse::<Fsync>().map_err(Failure::usage)?;
        let store = StoreUrl::parse(&self.store).and_then(|url| url.open_existing(fsync)).map_err(|e| e.to_string())?;
        Ok(Meter::with_store(std::sync::Arc::new(prices.book()?), store))
    }
}

/// Which events (by timestamp): RFC 3339, a date (YYYY-MM-DD) or a month (YYYY-MM), UTC.
#[derive(Args)]
pub struct Range {
    /// First instant included.
    #[arg(long, value_name = "TIME")]
    from: Option<String>,
    /// First instant excluded.
    #[arg(long, value_name = "TIME")]
    to: Option<String>,
}

impl Range {
    fn parse(&self) -> Result<TimeRange, Failure> {
        TimeRange::parse(self.from.as_deref(), self.to.as_deref()).map_err(Failure::usage)
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// Priced records, one canonical JSON line each (what `import --priced` reads).
    Journal,
    /// CloudEvents JSON, one per line (deterministic idempotency keys).
    Cloudevents,
}

#[derive(Subcommand)]
pub enum MeterCommand {
    /// Record usage logs (JSON Lines of usage events) into the store, each event once;
    /// with --priced, records already priced (a journal, snapshot or export).
    Import {
        #[command(flatten)]
        store: StoreArg,
        #[command(flatten)]
        prices: Prices,
        /// The files hold priced records (a meter journal, `export` output): kept as
        /// they were priced. This is the upgrade path from a JSON Lines journal.
        #[arg(long)]
        priced: bool,
        /// Report bad lines on standard error and record the rest.
        #[arg(long, conflicts_with = "priced")]
        continue_on_error: bool,
        /// Files (`-` for standard input).
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// Write the stored records (sorted by event id) to standard output.
    Export {
        #[command(flatten)]
        store: StoreArg,
        #[command(flatten)]
        range: Range,
        #[arg(long, value_enum, default_value = "journal")]
        format: ExportFormat,
        /// The CloudEvents `source` attribute.
        #[arg(long, default_value = "urn:tokfare:meter")]
        source: String,
    },
    /// Print the invoice of the stored events (from the store's sums).
    Invoice {
        #[command(flatten)]
        store: StoreArg,
        #[command(flatten)]
        prices: Prices,
        #[command(flatten)]
        range: Range,
        #[command(flatten)]
        invoice: InvoiceArgs,
    },
    /// Check the store: integrity, and that its sums agree with its events.
    Check {
        #[command(flatten)]
        store: StoreArg,
    },
}

pub fn run(command: MeterCommand) -> Result<(), Failure> {
    match command {
        MeterCommand::Import { store, prices, priced, continue_on_error, files } => {
            let mut meter = store.open(&prices)?;
            let mut bad = 0;
            for path in &files {
                let reader = open_log(path)?;
                let line = if priced {
                    let report = meter.import(reader).map_err(|e| format!("{path}: {e}"))?;
                    for id in &report.conflicts {
                        eprintln!("tokfare: {path}: event {id:?} is stored with other content; kept the stored one");
                    }
                    bad += report.conflicts.len();
                    format!(
                        "{path}: {} imported, {} already stored, {} conflicting\n",
                        report.added,
                        report.duplicates,
                        report.conflicts.len()
                    )
                } else {
                    let on_error = if continue_on_error { OnError::Continue } else { OnError::Stop };
                    let outcome = meter.record_log(reader, on_error).map_err(|p| problem_text(path, &p))?;
                    for problem in &outcome.problems {
                        eprintln!("tokfare: {}", problem_text(path, problem));
                    }
                    bad += outcome.problems.len();
                    format!(
                        "{path}: {} recorded, {} duplicate(s), {} bad line(s)\n",
                        outcome.recorded,
                        outcome.duplicates,
                        outcome.problems.len()
                    )
                };
                crate::write_out(line.as_bytes())?;
            }
            let total = meter.len().map_err(|e| e.to_string())?;
            crate::write_out(format!("{} now holds {total} events\n", meter.location()).as_bytes())?;
            if bad > 0 {
                return Err(format!("{bad} event(s) were not recorded (listed above)").into());
            }
            Ok(())
        }
        MeterCommand::Export { store, range, format, source } => {
            let meter = store.open_existing(&Prices::default())?;
            let range = range.parse()?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            meter
                .scan(&range, |record| {
                    let line = match format {
                        ExportFormat::Journal => record.to_json(),
                        ExportFormat::Cloudevents => record.to_cloudevent(&source),
                    };
                    writeln!(out, "{line}").map_err(|e| tokfare::pricing::Error::InvalidArgument { name: "output", reason: e.to_string() })
                })
                .map_err(|e| e.to_string())?;
            Ok(out.flush().map_err(|e| format!("writing output: {e}"))?)
        }
        MeterCommand::Invoice { store, prices, range, invoice } => {
            let meter = store.open_existing(&prices)?;
            let mut options = invoice.options()?;
            options.range = range.parse()?;
            let out = invoice.render(&meter.invoice(&options).map_err(|e| e.to_string())?, None);
            Ok(crate::write_out(out.as_bytes())?)
        }
        MeterCommand::Check { store } => {
            let meter = store.open_existing(&Prices::default())?;
            meter.check().map_err(|e| e.to_string())?;
            let n = meter.len().map_err(|e| e.to_string())?;
            Ok(crate::write_out(format!("ok: {} holds {n} events; its sums agree with them\n", meter.location()).as_bytes())?)
        }
    }
}
