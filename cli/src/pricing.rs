//! `tokfare price`, `tokfare estimate`, `tokfare tiers`: argument handling and
//! printing only; every rule lives in the `tokfare` crates.

use crate::Failure;
use clap::{Args, ValueEnum};
use std::io::{BufRead, BufReader};
use std::sync::Arc;
use tokfare::meter::{Invoice, InvoiceOptions, LogProblem, Meter, OnError};
use tokfare::price::store::CatalogStore;
use tokfare::price::{
    gtc, parse_decimal, Catalog, CatalogChoice, CatalogOptions, ConditionOptions, Conditions, Decimal, EstimateOptions, PriceBook,
    ScheduleSet, Service,
};

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
}

/// Where prices come from (shared by `price` and `estimate`).
#[derive(Args, Default)]
pub(crate) struct Prices {
    /// A LiteLLM-format price file whose entries override the bundled catalog.
    #[arg(long, value_name = "FILE")]
    catalog: Option<String>,
    /// A schedule set tried before the catalog: a bundled name (gtc-2026) or a .toml/.json file. Repeatable.
    #[arg(long, value_name = "NAME|FILE")]
    schedule: Vec<String>,
    /// Use only the schedules, not the bundled catalog.
    #[arg(long)]
    no_catalog: bool,
    /// Price models whose catalog entry has a price rule tokfare does not apply by
    /// ignoring that rule (without it, pricing them is an error naming the field).
    #[arg(long)]
    ignore_unknown_price_fields: bool,
    /// Price with the stored catalog snapshot in force on this date (YYYY-MM-DD, UTC; see
    /// `tokfare catalog update`); the bundled snapshot when none was fetched by then.
    #[arg(long, value_name = "DATE", conflicts_with = "catalog")]
    catalog_at: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

impl Prices {
    pub(crate) fn book(&self) -> Result<PriceBook, Failure> {
        let load = |s: &String| {
            ScheduleSet::load(s).map_err(|e| match e {
                // Neither a bundled name nor a schedule file: the flag is wrong.
                tokfare::pricing::Error::InvalidArgument { .. } => Failure::Usage(format!("--schedule: {e}")),
                e => Failure::Input(format!("{s}: {e}")),
            })
        };
        let schedules = self.schedule.iter().map(load).collect::<Result<Vec<_>, _>>()?;
        let ignore = self.ignore_unknown_price_fields;
        if let Some(date) = &self.catalog_at {
            let catalog = self.store.open()?.catalog_on(date).map_err(|e| e.to_string())?;
            return Ok(PriceBook::from_sources(schedules, CatalogChoice::Given(Arc::new(catalog.ignoring_unknown_price_fields(ignore)))));
        }
        let catalog = match (&self.catalog, self.no_catalog) {
            (Some(path), no_catalog) => {
                let options = CatalogOptions { extend_bundled: !no_catalog, ignore_unknown_price_fields: ignore };
                CatalogChoice::Given(Arc::new(Catalog::load_with(path, options).map_err(|e| format!("{path}: {e}"))?))
            }
            (None, true) => CatalogChoice::None,
            (None, false) => CatalogChoice::Given(Catalog::bundled_with(ignore)),
        };
        Ok(PriceBook::from_sources(schedules, catalog))
    }
}

/// How an invoice is grouped and printed (shared by `price` and `meter invoice`).
#[derive(Args)]
pub(crate) struct InvoiceArgs {
    /// Dimensions of the invoice lines: customer, model, schedule, hour, day, month
    /// [default: customer,model].
    #[arg(long, value_delimiter = ',')]
    group_by: Option<Vec<String>>,
    /// Billing period for graduated and volume tiers: hour, day or month [default: month].
    #[arg(long)]
    period: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

impl InvoiceArgs {
    pub(crate) fn options(&self) -> Result<InvoiceOptions, Failure> {
        InvoiceOptions::from_names(self.group_by.as_deref(), self.period.as_deref()).map_err(Failure::usage)
    }

    /// The invoice as the chosen format; `log` as for [`table`].
    pub(crate) fn render(&self, invoice: &Invoice, log: Option<(usize, usize)>) -> String {
        match self.format {
            Format::Table => table(invoice, log),
            Format::Csv => invoice.to_csv(),
            Format::Json => invoice.to_json(),
        }
    }
}

#[derive(Args)]
pub struct PriceArgs {
    #[command(flatten)]
    prices: Prices,
    #[command(flatten)]
    invoice: InvoiceArgs,
    /// Report bad lines (and unpriceable events) on standard error and price the rest;
    /// without it the first bad line stops everything.
    #[arg(long)]
    continue_on_error: bool,
    /// Usage logs (JSON Lines), `-` for standard input.
    #[arg(required = true)]
    files: Vec<String>,
}

/// A usage log to read: `-` is standard input; a directory is refused by name.
pub(crate) fn open_log(path: &str) -> Result<Box<dyn BufRead>, String> {
    if path == "-" {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(format!("{path}: is a directory, not a usage log"));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
    Ok(Box::new(BufReader::new(file)))
}

/// A bad line of a usage log, with the flag that would fix it if there is one.
pub(crate) fn problem_text(path: &str, problem: &LogProblem) -> String {
    format!("{path}: {problem}{}", crate::flag_hint(&tokfare::Error::from(problem.clone())))
}

pub fn price(args: PriceArgs) -> Result<(), Failure> {
    let options = args.invoice.options()?;
    let on_error = if args.continue_on_error { OnError::Continue } else { OnError::Stop };
    // Sums and id digests only: memory grows with the groups and ids, not the log.
    let mut meter = Meter::summing(args.prices.book()?, &options);
    let (mut bad, mut duplicates) = (0usize, 0usize);
    for path in &args.files {
        let outcome = meter.record_log(open_log(path)?, on_error).map_err(|problem| problem_text(path, &problem))?;
        for problem in &outcome.problems {
            eprintln!("tokfare: {}", problem_text(path, problem));
        }
        bad += outcome.problems.len();
        duplicates += outcome.duplicates;
    }
    let invoice = meter.invoice(&options).map_err(|e| format!("{}: {e}", args.files.join(", ")))?;
    let out = args.invoice.render(&invoice, Some((duplicates, bad)));
    crate::write_out(out.as_bytes())?;
    if bad > 0 {
        return Err(format!("{bad} line(s) could not be priced (listed above); the invoice covers the others").into());
    }
    Ok(())
}

fn rate(unit_price: Decimal, per: u64) -> String {
    match per {
        1_000_000 => format!("{}/M", unit_price.normalize()),
        1 => format!("{} each", unit_price.normalize()),
        n => format!("{}/{n}", unit_price.normalize()),
    }
}

/// A cell of the text table: control characters (a newline in a customer name) are
/// shown escaped, so one line stays one row.
fn cell(text: &str) -> String {
    if text.chars().any(char::is_control) {
        text.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
    } else {
        text.to_string()
    }
}

/// An invoice as a text table; `log` is (duplicates, bad lines) when it priced logs.
/// Quantities, rates and amounts are right-aligned; subtotal and total amounts end in
/// the same column as the lines' amounts.
pub(crate) fn table(invoice: &Invoice, log: Option<(usize, usize)>) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut header: Vec<String> = invoice.label_columns().into_iter().map(String::from).collect();
    header.extend(["item", "quantity", "rate", "amount"].map(String::from));
    rows.push(header);
    for line in &invoice.lines {
        let mut row: Vec<String> = invoice.labels(line).into_iter().map(cell).collect();
        row.push(cell(&line.item));
        row.push(line.quantity.to_string());
        row.push(rate(line.unit_price, line.per));
        row.push(format!("{} {}", line.amount, line.currency));
        rows.push(row);
    }
    // The footer: (label, amount) rows under the table.
    let mut footer: Vec<(String, String)> = Vec::new();
    for sub in &invoice.subtotals {
        let group: Vec<String> = sub.group.iter().map(|g| format!("{}={}", g.0, cell(&g.1))).collect();
        footer.push((format!("subtotal  {}", group.join(" ")), format!("{} {}", sub.amount, sub.currency)));
    }
    for (currency, amount) in &invoice.totals {
        footer.push(("total".to_string(), format!("{amount} {currency}")));
    }
    if invoice.totals.is_empty() {
        footer.push(("total".to_string(), "0 (nothing charged)".to_string()));
    }
    let mut widths: Vec<usize> = (0..rows[0].len()).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let last = widths.len() - 1;
    widths[last] = widths[last].max(footer.iter().map(|f| f.1.chars().count()).max().unwrap_or(0));
    let table_width: usize = widths.iter().sum::<usize>() + 2 * last;
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(
                |(c, text)| {
                    if c + 3 >= row.len() && i > 0 {
                        format!("{text:>w$}", w = widths[c])
                    } else {
                        format!("{text:<w$}", w = widths[c])
                    }
                },
            )
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out.push('\n');
    for (label, amount) in &footer {
        // The amount ends where the amount column ends (further right if the label is long).
        let room = table_width.saturating_sub(label.chars().count() + 2).max(amount.chars().count());
        out.push_str(&format!("{label}  {amount:>room$}\n"));
    }
    match log {
        Some((duplicates, bad)) => {
            out.push_str(&format!("{} events priced, {duplicates} duplicate(s) ignored, {bad} bad line(s)\n", invoice.events))
        }
        None => out.push_str(&format!("{} events invoiced\n", invoice.events)),
    }
    for w in &invoice.warnings {
        out.push_str(&format!("warning   {w}\n"));
    }
    out
}

#[derive(Args)]
pub struct EstimateArgs {
    #[command(flatten)]
    prices: Prices,
    /// The model to price (and, for OpenAI models, to pick the tokenizer).
    #[arg(long, short)]
    model: String,
    /// Tokenize with this encoding instead of the model's (e.g. to approximate a
    /// model whose tokenizer tokfare does not have).
    #[arg(long, short, conflicts_with = "tokenizer")]
    encoding: Option<String>,
    /// Tokenize with this Hugging Face tokenizer.json (a path or a bundled name: qwen3).
    #[arg(long, short, value_name = "PATH|NAME")]
    tokenizer: Option<String>,
    /// Expected output length in tokens.
    #[arg(long, default_value_t = 0)]
    output_tokens: u64,
    /// Price at this service level (standard, batch, flex, priority).
    #[arg(long, default_value = "standard")]
    service: String,
    /// Where the data is processed: global, us, eu (regional-processing uplifts).
    #[arg(long)]
    region: Option<String>,
    /// A FedRAMP deployment (its uplift).
    #[arg(long)]
    fedramp: bool,
    /// The endpoint: global, regional, or a location such as us-east5 (regional uplift).
    #[arg(long)]
    endpoint: Option<String>,
    /// standard or fast (fast-mode uplift).
    #[arg(long)]
    speed: Option<String>,
    /// Print the quote as JSON (`{"model", "schedule", "tokenizer", "approximate", "usage", "currency",
    /// "total", "rounded", "lines": [{"item", "quantity", "unit_price", "per", "amount"}],
    /// "context_window", "warnings"}`; amounts are decimal strings).
    #[arg(long)]
    json: bool,
    /// The prompt file, `-` for standard input.
    #[arg(default_value = "-")]
    file: String,
}

pub fn estimate(args: EstimateArgs) -> Result<(), Failure> {
    let book = args.prices.book()?;
    let text = crate::read_text(&args.file)?;
    let service: Service = args.service.parse().map_err(|e: tokfare::pricing::Error| Failure::usage(format!("--service: {e}")))?;
    let conditions = Conditions::from_options(&ConditionOptions {
        region: args.region.as_deref(),
        fedramp: args.fedramp,
        endpoint: args.endpoint.as_deref(),
        speed: args.speed.as_deref(),
        ..ConditionOptions::default()
    })
    .map_err(Failure::usage)?;
    let options = EstimateOptions { output_tokens: args.output_tokens, service, tier: None, conditions };
    let quote = tokfare::estimate_with(&book, &args.model, &text, args.encoding.as_deref(), args.tokenizer.as_deref(), &options)
        .map_err(Failure::from_core)?;
    if args.json {
        return Ok(crate::write_out(format!("{}\n", quote_json(&quote)).as_bytes())?);
    }
    let approximate = if quote.approximate { ", approximate count" } else { "" };
    let mut out = format!(
        "model      {} (schedule {}, tokenizer {}{approximate})\n",
        quote.model,
        quote.schedule,
        quote.tokenizer.clone().unwrap_or_default()
    );
    for line in &quote.lines {
        out.push_str(&format!(
            "{:<22} {:>10}  {:>12}  {} {}\n",
            line.item.to_string(),
            line.quantity,
            rate(line.unit_price, line.per),
            line.amount,
            quote.currency
        ));
    }
    out.push_str(&format!("total      {} {c} (exact; {} {c} rounded)\n", quote.total, quote.rounded, c = quote.currency));
    if let Some(window) = quote.context_window {
        let input = quote.usage.input;
        let fill = Decimal::from(input) * Decimal::ONE_HUNDRED / Decimal::from(window.max(1));
        out.push_str(&format!("context    {input} of {window} tokens ({}%)\n", fill.round_dp(1)));
    }
    for warning in &quote.warnings {
        out.push_str(&format!("warning    {warning}\n"));
    }
    Ok(crate::write_out(out.as_bytes())?)
}

fn quote_json(q: &tokfare::price::Quote) -> serde_json::Value {
    let lines: Vec<_> = q
        .lines
        .iter()
        .map(|l| {
            serde_json::json!({"item": l.item.to_string(), "quantity": l.quantity, "unit_price": l.unit_price.to_string(),
                "per": l.per, "amount": l.amount.to_string()})
        })
        .collect();
    let usage: serde_json::Map<String, serde_json::Value> = q.usage.entries().into_iter().map(|(k, v)| (k.to_string(), v.into())).collect();
    serde_json::json!({
        "model": q.model, "schedule": q.schedule, "tokenizer": q.tokenizer, "approximate": q.approximate, "usage": usage, "currency": q.currency.to_string(),
        "total": q.total.to_string(), "rounded": q.rounded.to_string(), "lines": lines, "context_window": q.context_window,
        "warnings": q.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
    })
}

#[derive(Args)]
pub struct TiersArgs {
    /// Power budget in megawatts for the capacity plan.
    #[arg(long, default_value = "1")]
    megawatts: String,
    /// Hours of operation for the capacity plan.
    #[arg(long, default_value = "24")]
    hours: String,
    /// Tokens per second per megawatt for free, medium, high and premium (25% of the
    /// power each). The defaults are illustrative assumptions, not measurements.
    #[arg(long, value_delimiter = ',', default_value = "8000000,4000000,2000000,500000")]
    tps_per_mw: Vec<String>,
}

#[derive(clap::Subcommand)]
pub enum CatalogCommand {
    /// Classify every key of a LiteLLM-format price file (the bundled snapshot without
    /// FILE): applied, unmetered, unsupported, inert, metadata or unknown, with counts,
    /// and the models tokfare refuses to price. Exits 1 if a key named like a price is
    /// unknown.
    Check {
        /// The file (default: the bundled snapshot).
        file: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Download a newer price file (LiteLLM's published JSON by default), validate it,
    /// print what changed against the current snapshot (models added and removed, each
    /// changed price with its percentage) and store it with its sha256 and fetch time.
    /// A failed or partial download leaves the current snapshot as it was.
    Update {
        /// A URL (http or https) or a file.
        #[arg(long, value_name = "URL|FILE", default_value = tokfare::catalog_update::DEFAULT_URL)]
        from: String,
        #[command(flatten)]
        store: StoreArgs,
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 60)]
        timeout: u64,
    },
    /// List the stored snapshots, oldest first (the last one is current).
    History {
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// Where catalog snapshots are stored.
#[derive(Args, Default)]
pub struct StoreArgs {
    /// The snapshot directory [default: $TOKFARE_DATA_DIR/catalogs, else
    /// $XDG_DATA_HOME/tokfare/catalogs, else ~/.local/share/tokfare/catalogs].
    #[arg(long, value_name = "DIR")]
    catalog_dir: Option<String>,
}

impl StoreArgs {
    fn open(&self) -> Result<CatalogStore, String> {
        tokfare::catalog_update::open_store(self.catalog_dir.as_deref()).map_err(|e| e.to_string())
    }
}

pub fn catalog(command: CatalogCommand) -> Result<(), Failure> {
    match command {
        CatalogCommand::Update { from, store, timeout } => {
            let options = tokfare::catalog_update::UpdateOptions {
                timeout: std::time::Duration::from_secs(timeout),
                ..tokfare::catalog_update::UpdateOptions::default()
            };
            let report = tokfare::catalog_update::update(&store.open()?, &from, &options).map_err(|e| e.to_string())?;
            Ok(crate::write_out(report.to_text().as_bytes())?)
        }
        CatalogCommand::History { store } => {
            let mut out = String::new();
            for s in store.open()?.history().map_err(|e| e.to_string())? {
                let at = s.fetched_at.format("%Y-%m-%dT%H:%M:%SZ");
                out.push_str(&format!("{at}  {} entries  sha256 {}  {}  {}\n", s.entries, s.sha256, s.source, s.path.display()));
            }
            Ok(crate::write_out(out.as_bytes())?)
        }
        CatalogCommand::Check { file, json } => {
            let check = match &file {
                Some(path) => {
                    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
                    Catalog::check_litellm_json(&text).map_err(|e| format!("{path}: {e}"))?
                }
                None => Catalog::check_bundled().map_err(|e| e.to_string())?,
            };
            let out = if json {
                let fields: Vec<_> =
                    check.fields.iter().map(|f| serde_json::json!({"key": f.key, "kind": f.kind.name(), "entries": f.entries})).collect();
                let refused: Vec<_> =
                    check.refused.iter().map(|(m, f, r)| serde_json::json!({"model": m, "field": f, "reason": r})).collect();
                let doc = serde_json::json!({"entries": check.entries, "aliases": check.aliases, "fields": fields, "refused": refused,
                    "unknown_price_fields": check.unknown_price_fields().len()});
                format!("{doc}\n")
            } else {
                check.to_text()
            };
            crate::write_out(out.as_bytes())?;
            match check.unknown_price_fields().len() {
                0 => Ok(()),
                n => Err(format!("{n} key(s) named like a price are unknown to tokfare: models with them are refused").into()),
            }
        }
    }
}

pub fn tiers(args: TiersArgs) -> Result<(), Failure> {
    let set = gtc::tiers().map_err(|e| e.to_string())?;
    let dec = |s: &str| parse_decimal(s).map_err(Failure::usage);
    let mut out = format!("{} — {}\n\n", set.name, set.description.clone().unwrap_or_default());
    out.push_str(&format!("{:<9} {:>12}  {:<34} {}\n", "tier", "$/M tokens", "description", "models"));
    for row in gtc::tier_rows().map_err(|e| e.to_string())? {
        out.push_str(&format!(
            "{:<9} {:>12}  {:<34} {}\n",
            row.name,
            row.price_per_million,
            row.description.unwrap_or_default(),
            row.models.join(", ")
        ));
    }
    if args.tps_per_mw.len() != 4 {
        return Err(Failure::usage("--tps-per-mw takes four numbers: free,medium,high,premium"));
    }
    let tps = [dec(&args.tps_per_mw[0])?, dec(&args.tps_per_mw[1])?, dec(&args.tps_per_mw[2])?, dec(&args.tps_per_mw[3])?];
    let input = gtc::PlanInput::quarter_split(dec(&args.megawatts)?, dec(&args.hours)?, tps);
    let plan = gtc::plan(&set, &input).map_err(|e| e.to_string())?;
    out.push_str(&format!(
        "\ncapacity plan: {} MW for {} h, 25% each of free/medium/high/premium (throughput: --tps-per-mw)\n",
        input.megawatts, input.hours
    ));
    out.push_str(&format!("{:<9} {:>6} {:>16} {:>22} {:>16}\n", "tier", "share", "tokens/s/MW", "tokens", "revenue"));
    for (t, a) in plan.tiers.iter().zip(&input.allocations) {
        out.push_str(&format!(
            "{:<9} {:>5}% {:>16} {:>22} {:>16}\n",
            t.tier,
            (t.share * Decimal::ONE_HUNDRED).normalize(),
            a.tokens_per_second_per_mw.normalize(),
            t.tokens.normalize(),
            format!("{:.2} {}", t.revenue.amount(), t.revenue.currency())
        ));
    }
    out.push_str(&format!(
        "{:<9} {:>6} {:>16} {:>22} {:>16}\n",
        "total",
        "",
        "",
        plan.total_tokens.normalize(),
        format!("{:.2} {}", plan.total_revenue.amount(), plan.total_revenue.currency())
    ));
    Ok(crate::write_out(out.as_bytes())?)
}
