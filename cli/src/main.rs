//! `tokfare`: tokenize, count and decode, and price usage, from the command line.
//!
//! Exit status: 0 on success, 1 on bad input (unreadable file, invalid UTF-8,
//! disallowed special token, unknown id ...), 2 on a usage error (a flag or argument
//! clap or tokfare refuses: an unknown encoding, model, group-by key, service ...).

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;
use tokfare::{AnyTokenizer, Encoding, SpecialSet, Tokenize};

mod meter;
mod pricing;

#[derive(Parser)]
#[command(name = "tokfare", version, about = "Exact, fast tokenizer, token counter and token pricer")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the token ids of a text as a JSON array.
    Encode {
        #[command(flatten)]
        tokenizer: Tokenizer,
        /// Recognise special tokens in the text: `all` or a comma-separated list.
        /// Without it, special-token strings are ordinary text (like encode_ordinary).
        #[arg(long, value_name = "all|NAME,...")]
        allowed_special: Option<String>,
        /// Input file, or `-` for standard input.
        #[arg(default_value = "-")]
        file: String,
    },
    /// Count the tokens of each file and the total.
    Count {
        #[command(flatten)]
        tokenizer: Tokenizer,
        /// Print JSON (`{"files": [{"path", "tokens", "bytes"}], "total": N}`).
        #[arg(long)]
        json: bool,
        /// Input files (`-` for standard input).
        #[arg(default_value = "-")]
        files: Vec<String>,
    },
    /// Turn token ids (a JSON array or whitespace-separated numbers) back into text.
    Decode {
        #[command(flatten)]
        tokenizer: Tokenizer,
        /// Replace invalid UTF-8 with U+FFFD instead of failing.
        #[arg(long)]
        lossy: bool,
        /// Input file, or `-` for standard input.
        #[arg(default_value = "-")]
        file: String,
    },
    /// List the encodings and which engine runs them.
    Encodings,
    /// Price usage logs (JSON Lines of provider usage) and print an invoice.
    Price(pricing::PriceArgs),
    /// Tokenize a prompt and price it for a model.
    Estimate(pricing::EstimateArgs),
    /// Print the GTC 2026 tiers and a capacity plan.
    Tiers(pricing::TiersArgs),
    /// Inspect a price catalog.
    #[command(subcommand)]
    Catalog(pricing::CatalogCommand),
    /// Keep usage in a meter store (SQLite) and invoice from it: import, export,
    /// invoice, check.
    #[command(subcommand)]
    Meter(meter::MeterCommand),
}

#[derive(Args)]
struct Tokenizer {
    /// Encoding name (see `tokfare encodings`).
    #[arg(long, short, conflicts_with_all = ["model", "tokenizer"])]
    encoding: Option<String>,
    /// Model name, e.g. gpt-4o, gpt-4, text-embedding-3-small, Qwen/Qwen3-8B (default: gpt-4o).
    #[arg(long, short, conflicts_with = "tokenizer")]
    model: Option<String>,
    /// A Hugging Face tokenizer.json (a file, a folder holding one, or a bundled name:
    /// qwen3). Hugging Face semantics: added tokens in the text are recognised, none are
    /// added.
    #[arg(long, short, value_name = "PATH|NAME")]
    tokenizer: Option<String>,
}

impl Tokenizer {
    /// `--tokenizer`, else `--encoding`, else `--model` (default gpt-4o): the core's rule.
    fn load(&self) -> Result<AnyTokenizer, Failure> {
        let model = self.model.as_deref().unwrap_or("gpt-4o");
        AnyTokenizer::choose(model, self.encoding.as_deref(), self.tokenizer.as_deref()).map(|(t, _)| t).map_err(Failure::from_core)
    }

    /// As [`Tokenizer::load`], except that a model without a tokenizer tokfare knows is
    /// counted with the approximation encoding (the estimate's rule).
    fn load_for_count(&self) -> Result<AnyTokenizer, Failure> {
        let model = self.model.as_deref().unwrap_or("gpt-4o");
        tokfare::tokenizer_for_estimate(model, self.encoding.as_deref(), self.tokenizer.as_deref()).map_err(Failure::from_core)
    }
}

/// Why a command failed, and so its exit status.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Bad input (a file, a line, a store): exit status 1.
    Input(String),
    /// A flag or argument that is refused: exit status 2, as clap's own usage errors.
    Usage(String),
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure::Input(message)
    }
}

impl Failure {
    /// A refused flag or argument value.
    pub(crate) fn usage(e: impl std::fmt::Display) -> Failure {
        Failure::Usage(e.to_string())
    }

    /// A core error, with the flag that would fix it when there is one; an unknown
    /// encoding or model given on the command line is a usage error.
    pub(crate) fn from_core(e: impl Into<tokfare::Error>) -> Failure {
        let e: tokfare::Error = e.into();
        let message = format!("{e}{}", flag_hint(&e));
        match e.code() {
            "unknown_encoding" | "unknown_model" | "invalid_argument" => Failure::Usage(message),
            _ => Failure::Input(message),
        }
    }
}

/// What to add on the command line to get past an error, in the CLI's own flags (the
/// core's messages name no flag: each front end has its own).
pub(crate) fn flag_hint(e: &tokfare::Error) -> String {
    use tokfare::pricing::Error as P;
    match e {
        tokfare::Error::Pricing(P::UnknownModelPrice { bundled_set: Some(set), .. })
        | tokfare::Error::LogLine { error: P::UnknownModelPrice { bundled_set: Some(set), .. }, .. } => {
            format!(" (add --schedule {set})")
        }
        _ => match e.code() {
            "unknown_model" | "tokenizer_file_needed" => {
                " (pass --encoding NAME or --tokenizer FILE; --model picks a tokenizer only for models tokfare knows)".to_string()
            }
            _ => String::new(),
        },
    }
}

fn read_input(path: &str) -> Result<Vec<u8>, String> {
    let mut data = Vec::new();
    if path == "-" {
        std::io::stdin().read_to_end(&mut data).map_err(|e| format!("standard input: {e}"))?;
    } else {
        data = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(data)
}

pub(crate) fn read_text(path: &str) -> Result<String, String> {
    let data = read_input(path)?;
    let label = if path == "-" { "standard input" } else { path };
    tokfare::text_from_utf8(&data).map_err(|e| format!("{label}: {e}"))?;
    String::from_utf8(data).map_err(|e| format!("{label}: {e}"))
}

fn parse_ids(text: &str) -> Result<Vec<u32>, String> {
    let trimmed = text.trim();
    let body = trimmed.strip_prefix('[').and_then(|t| t.strip_suffix(']')).unwrap_or(trimmed);
    body.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<u32>().map_err(|_| format!("{s:?} is not a token id (a non-negative integer below 2^32)")))
        .collect()
}

pub(crate) fn write_out(bytes: &[u8]) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes).and_then(|_| out.flush()).map_err(|e| format!("writing output: {e}"))
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Encode { tokenizer, allowed_special, file } => {
            let enc = match tokenizer.load()? {
                AnyTokenizer::Encoding(enc) => enc,
                AnyTokenizer::HuggingFace(tok) => {
                    if allowed_special.is_some() {
                        return Err(Failure::usage(
                            "--allowed-special is for tiktoken encodings: a tokenizer.json always recognises its added tokens",
                        ));
                    }
                    let ids = tok.encode(&read_text(&file)?, false).map_err(|e| e.to_string())?;
                    let json = serde_json::to_string(&ids).map_err(|e| e.to_string())?;
                    return Ok(write_out(format!("{json}\n").as_bytes())?);
                }
            };
            let text = read_text(&file)?;
            let ids = match allowed_special.as_deref() {
                None => enc.encode_ordinary(&text),
                Some("all") => enc.encode(&text, SpecialSet::All, SpecialSet::None).map_err(|e| e.to_string())?,
                Some(list) => {
                    let names: Vec<&str> = list.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
                    if let Some(bad) =
                        names.iter().find(|n| enc.encode_single_token(n.as_bytes()).map_or(true, |id| !enc.is_special_token(id)))
                    {
                        return Err(Failure::usage(format!("{bad:?} is not a special token of {}", enc.name())));
                    }
                    enc.encode(&text, SpecialSet::Some(&names), SpecialSet::None).map_err(|e| e.to_string())?
                }
            };
            let json = serde_json::to_string(&ids).map_err(|e| e.to_string())?;
            Ok(write_out(format!("{json}\n").as_bytes())?)
        }
        Command::Count { tokenizer, json, files } => {
            // Counting (not encoding) a model without a public tokenizer approximates,
            // and says so: `"exact": false` and the encoding in the JSON, a note otherwise.
            let enc = tokenizer.load_for_count()?;
            let model = tokenizer.model.as_deref().unwrap_or("gpt-4o");
            // Without --model the count is the given (or default) tokenizer's own, exact.
            let exact = tokenizer.model.is_none() || tokfare::count_is_exact(model, enc.name());
            let mut rows = Vec::new();
            let mut total = 0usize;
            for path in &files {
                let text = read_text(path)?;
                let tokens = match &enc {
                    AnyTokenizer::Encoding(enc) => count_with_bar(enc, &text),
                    other => other.count(&text).map_err(|e| e.to_string())?,
                };
                total += tokens;
                rows.push((path.clone(), tokens, text.len()));
            }
            let out = if json {
                let files: Vec<_> = rows.iter().map(|(p, t, b)| serde_json::json!({"path": p, "tokens": t, "bytes": b})).collect();
                format!("{}\n", serde_json::json!({"encoding": enc.name(), "exact": exact, "files": files, "total": total}))
            } else {
                let mut s = String::new();
                for (path, tokens, _) in &rows {
                    s.push_str(&format!("{tokens:>12}  {path}\n"));
                }
                s.push_str(&format!("{total:>12}  total ({})\n", enc.name()));
                if !exact {
                    s.push_str(&format!(
                        "note: approximate count: tokfare knows no public tokenizer for {model}; counted with {}\n",
                        enc.name()
                    ));
                }
                s
            };
            Ok(write_out(out.as_bytes())?)
        }
        Command::Decode { tokenizer, lossy, file } => {
            let loaded = tokenizer.load()?;
            let text = read_text(&file)?;
            let ids = parse_ids(&text)?;
            let decoded = match loaded {
                AnyTokenizer::Encoding(enc) if lossy => enc.decode_lossy(&ids),
                // Hugging Face decoding always replaces invalid UTF-8 with U+FFFD.
                other => other.decode(&ids),
            }
            .map_err(|e| e.to_string())?;
            Ok(write_out(decoded.as_bytes())?)
        }
        Command::Encodings => {
            let mut s = String::new();
            for name in tokfare::list_encoding_names() {
                match tokfare::get_encoding(name) {
                    Ok(enc) => s.push_str(&format!("{name:<14} n_vocab={:<7} engine={}\n", enc.n_vocab(), enc.engine())),
                    Err(e) => s.push_str(&format!("{name:<14} unavailable: {e}\n")),
                }
            }
            for name in tokfare::hf::BUNDLED_TOKENIZERS {
                match tokfare::hf::bundled(name) {
                    Ok(tok) => s.push_str(&format!("{name:<14} n_vocab={:<7} engine={} (tokenizer.json)\n", tok.n_vocab(), tok.engine())),
                    Err(e) => s.push_str(&format!("{name:<14} unavailable: {e}\n")),
                }
            }
            Ok(write_out(s.as_bytes())?)
        }
        Command::Price(args) => pricing::price(args),
        Command::Estimate(args) => pricing::estimate(args),
        Command::Tiers(args) => pricing::tiers(args),
        Command::Catalog(command) => pricing::catalog(command),
        Command::Meter(command) => meter::run(command),
    }
}

/// Counts with a progress bar on standard error for inputs over 16 MB on a terminal.
fn count_with_bar(enc: &Encoding, text: &str) -> usize {
    if text.len() < 16 << 20 || !std::io::stderr().is_terminal() {
        return enc.count(text);
    }
    let bar = ProgressBar::new(text.len() as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}") {
        bar.set_style(style);
    }
    let n = enc.count_with_progress(text, |done| bar.set_position(done as u64));
    bar.finish_and_clear();
    n
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(message)) => {
            eprintln!("tokfare: error: {message}");
            ExitCode::from(1)
        }
        Err(Failure::Usage(message)) => {
            eprintln!("tokfare: error: {message}");
            ExitCode::from(2)
        }
    }
}
