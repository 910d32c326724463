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
        /// Print JSON (`{"files": [{"path", "tokens", "bytes"}], "total": N, "exact", ...}`).
        #[arg(long)]
        json: bool,
        /// Each file is a request body in this format, counted as the model's prompt
        /// (openai-chat, openai-responses, anthropic-messages, gemini, ai-sdk).
        #[arg(long, value_name = "FORMAT", conflicts_with_all = ["encoding", "tokenizer"])]
        request: Option<String>,
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
        Command::Count { tokenizer, json, request, files } => {
            // With --model alone, the model's profile decides (tokfare::request::Profile):
            // its own tokenizer (exact), or an approximation that says so with its band.
            // With --encoding or --tokenizer, that tokenizer's own count, exact for it.
            let profile = match (&tokenizer.model, &tokenizer.encoding, &tokenizer.tokenizer) {
                (Some(model), None, None) => Some(tokfare::request::Profile::for_model(model)),
                _ if request.is_some() => Some(tokfare::request::Profile::for_model("gpt-4o")),
                _ => None,
            };
            let enc = match &profile {
                Some(p) => p.load().map_err(Failure::from_core)?,
                None => tokenizer.load()?,
            };
            let format = match &request {
                Some(f) => Some(f.parse::<tokfare::request::RequestFormat>().map_err(Failure::from_core)?),
                None => None,
            };
            let mut rows = Vec::new();
            let mut total = 0u64;
            let mut verdict = None;
            for path in &files {
                let text = read_text(path)?;
                let counted = match (&profile, format) {
                    (Some(p), Some(format)) => {
                        let parsed = tokfare::request::formats::parse(format, &text).map_err(|e| format!("{path}: {e}"))?;
                        p.count_request(&parsed).map_err(|e| format!("{path}: {e}"))?
                    }
                    (p, _) => {
                        let raw = match &enc {
                            AnyTokenizer::Encoding(enc) => count_with_bar(enc, &text),
                            other => other.count(&text).map_err(|e| e.to_string())?,
                        } as u64;
                        match p {
                            Some(p) => p.text_count(p.content_tokens(raw), enc.name()),
                            None => tokfare::request::RequestCount {
                                tokens: raw,
                                exact: true,
                                band: None,
                                tokenizer: enc.name().to_string(),
                                profile: "given",
                                note: String::new(),
                            },
                        }
                    }
                };
                total += counted.tokens;
                rows.push((path.clone(), counted.tokens, text.len()));
                // The verdict of the least exact file (a request with tools may be approximate
                // where a plain one is exact).
                if verdict.as_ref().is_none_or(|v: &tokfare::request::RequestCount| v.exact) {
                    verdict = Some(counted);
                }
            }
            let verdict = verdict.unwrap_or_else(|| {
                profile.as_ref().map_or_else(
                    || tokfare::request::RequestCount {
                        tokens: 0,
                        exact: true,
                        band: None,
                        tokenizer: enc.name().to_string(),
                        profile: "given",
                        note: String::new(),
                    },
                    |p| p.text_count(0, enc.name()),
                )
            });
            let out = if json {
                let files: Vec<_> = rows.iter().map(|(p, t, b)| serde_json::json!({"path": p, "tokens": t, "bytes": b})).collect();
                let band = verdict
                    .band
                    .map(|b| serde_json::json!({"low_permille": b.low_permille, "high_permille": b.high_permille, "text": b.to_string()}));
                let note = (!verdict.note.is_empty()).then_some(&verdict.note);
                format!(
                    "{}\n",
                    serde_json::json!({"encoding": enc.name(), "exact": verdict.exact, "band": band, "profile": verdict.profile, "note": note, "files": files, "total": total})
                )
            } else {
                let mut s = String::new();
                for (path, tokens, _) in &rows {
                    s.push_str(&format!("{tokens:>12}  {path}\n"));
                }
                if verdict.exact {
                    s.push_str(&format!("{total:>12}  total ({})\n", enc.name()));
                } else {
                    s.push_str(&format!("≈{total:>11}  total ({})\n", enc.name()));
                    let band = verdict.band.map_or("no error band".to_string(), |b| format!("expected error {b}"));
                    s.push_str(&format!("note: approximate count ({band}): {}\n", verdict.note));
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
