//! The one rule that says how a model's input is counted, for every model the catalog
//! prices ([`Profile::for_model`]):
//!
//! 1. **OpenAI models** (tiktoken's table of names and prefixes, after provider prefixes):
//!    their encoding and OpenAI's cookbook overheads ([`tokfare_tokenizer::chat`]). Exact
//!    for messages of text (the cookbook's scope); a request with tool calls, tool
//!    definitions, media or uncounted fields is an approximation without a band. gpt-oss
//!    (`o200k_harmony`): the content alone (its harmony header is not counted).
//! 2. **Claude** (`claude` anywhere in the name): Anthropic publishes no tokenizer for
//!    Claude 3 and later. Counted with Anthropic's legacy tokenizer (the `claude`
//!    encoding) and overheads fitted to the API's reported `input_tokens` by ai-tokenizer
//!    1.0.6 (MIT, coder/ai-tokenizer `src/models.json`): 6 per request, 2 per message, a
//!    content multiplier of 1.1, per-tool and per-property figures, and a per-model cost
//!    of having tools at all (317 to 586).
//! 3. **Gemini** (`gemini` in the name): no public tokenizer either; `o200k_base` with
//!    ai-tokenizer's Gemini overheads (multiplier 1.08; 1.11 for the 2.5 "preview-09-2025" models).
//! 4. **Open-weight models** with a tokenizer.json tokfare bundles (Qwen 3): that
//!    tokenizer, the content alone (chat templates are not applied): text is exact, a
//!    request is an approximation without a band.
//! 5. **Everything else** — DeepSeek, Kimi, Llama, Mistral, Grok ... whose tokenizer is
//!    not bundled, or unknown: `o200k_base`, the content alone, an approximation without
//!    a band (a supplied tokenizer.json makes text exact: [`crate::AnyTokenizer::choose`]).
//!
//! **Bands.** A band is stated only where public recorded figures back it: the pairs of
//! predicted and reported `input_tokens` in ai-tokenizer's `accuracy.json` (requests of
//! ~500, ~5,000 and ~50,000 tokens with a tool, for each model it lists) and the
//! accuracies of its 1.0.6 README. The band covers every recorded figure of the models it is
//! stated for (a unit test checks them); a model of the same family without recorded
//! figures (a newer Claude, a Gemini preview) gets the family's rule but no band, and so
//! does a request with images or files, or a bare text: no recorded figure covers them.

use super::method;
use super::{Request, RequestCount};
use crate::Result;
use std::fmt;
use tokfare_tokenizer::chat::ChatFormat;
use tokfare_tokenizer::{AnyTokenizer, ModelTokenizer, Tokenize};

/// Expected error of an approximate count: the provider's count is expected to be
/// between `count × (1 + low/1000)` and `count × (1 + high/1000)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Band {
    /// Lower bound of (reported − counted) / counted, in per mille.
    pub low_permille: i32,
    /// Upper bound, in per mille.
    pub high_permille: i32,
}

impl fmt::Display for Band {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pct = |p: i32| format!("{}{}.{}%", if p < 0 { "-" } else { "+" }, p.abs() / 10, p.abs() % 10);
        write!(f, "{}..{}", pct(self.low_permille), pct(self.high_permille))
    }
}

/// The overheads of a calibrated profile (ai-tokenizer's `tokens` of a model).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Overheads {
    /// Once per request.
    pub base: i64,
    /// Per message (plus the tokens of its role).
    pub per_message: i64,
    /// Once if the request has tools.
    pub tools_exist: i64,
    /// Per tool after the first.
    pub per_tool: i64,
    /// Per tool with a description.
    pub per_desc: i64,
    /// The first property of each object.
    pub per_first_prop: i64,
    /// Each further property.
    pub per_additional_prop: i64,
    /// Per property with a description.
    pub per_prop_desc: i64,
    /// Per enum property.
    pub per_enum: i64,
    /// Per property that is an object.
    pub per_nested_object: i64,
    /// Per property that is an array of objects.
    pub per_array_of_objects: i64,
    /// Text, tool inputs and tool outputs count `round(tokens × content_multiplier)`
    /// (the figure is a float: ai-tokenizer multiplies and rounds in binary floating
    /// point, and this does the same so that the counts agree to the token).
    pub content_multiplier: f64,
    /// A flat count per image.
    pub per_image: i64,
    /// A flat count per file or document.
    pub per_file: i64,
}

const CLAUDE: Overheads = Overheads {
    base: 6,
    per_message: 2,
    tools_exist: 549,
    per_tool: 53,
    per_desc: 5,
    per_first_prop: 13,
    per_additional_prop: 12,
    per_prop_desc: 5,
    per_enum: 9,
    per_nested_object: 12,
    per_array_of_objects: 13,
    content_multiplier: 1.1,
    per_image: 85,
    per_file: 100,
};

const GEMINI: Overheads = Overheads {
    base: -1,
    per_message: -1,
    tools_exist: 0,
    per_tool: 0,
    per_desc: 0,
    per_first_prop: 3,
    per_additional_prop: 2,
    per_prop_desc: 0,
    per_enum: 0,
    per_nested_object: -1,
    per_array_of_objects: 0,
    content_multiplier: 1.08,
    per_image: 85,
    per_file: 100,
};

const GEMINI_PREVIEW_0925: Overheads = Overheads {
    base: 0,
    per_message: 0,
    tools_exist: 18,
    per_tool: 18,
    per_desc: 0,
    per_first_prop: 10,
    per_additional_prop: 10,
    per_prop_desc: -1,
    per_enum: 5,
    per_nested_object: 29,
    per_array_of_objects: 29,
    content_multiplier: 1.11,
    per_image: 85,
    per_file: 100,
};

/// How a profile counts a [`Request`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Method {
    /// OpenAI's cookbook overheads for the model family.
    OpenAiCookbook(ChatFormat),
    /// A calibrated formula.
    Calibrated(Overheads),
    /// The tokens of the content alone: text, tool names, inputs and outputs, tool
    /// definitions' names, descriptions and properties.
    ContentOnly,
}

/// How one model is counted.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    /// The rule that chose it (`openai`, `openai-harmony`, `claude-tools-549`, `gemini`, `tokenizer.json`, `fallback` ...).
    pub name: &'static str,
    /// The model asked for.
    pub model: String,
    /// The tokenizer that counts.
    pub tokenizer: ModelTokenizer,
    /// True when the tokenizer is the model's own (text counts are exact).
    pub own_tokenizer: bool,
    /// The method.
    pub method: Method,
    /// The expected error band of an approximate count, when recorded figures back one.
    pub band: Option<Band>,
    /// Why the count is approximate, in words (empty for an exact profile).
    pub note: String,
}

/// Claude families with recorded figures: (name prefix after normalising, profile name,
/// cost of having tools).
/// The profile's name is the overhead set it uses (`claude-tools-366`), shared by models.
const CLAUDE_FAMILIES: &[(&str, &str, i64)] = &[
    ("claude-3-haiku", "claude-tools-317", 317),
    ("claude-3-5-haiku", "claude-tools-317", 317),
    ("claude-3-opus", "claude-tools-586", 586),
    ("claude-3-5-sonnet-20240620", "claude-tools-347", 347),
    ("claude-3-5-sonnet", "claude-tools-366", 366),
    ("claude-3-7-sonnet", "claude-tools-366", 366),
    ("claude-opus-4-1", "claude-tools-366", 366),
    ("claude-opus-4-5", "claude-tools-549", 549),
    ("claude-sonnet-4-5", "claude-tools-549", 549),
    ("claude-haiku-4-5", "claude-tools-549", 549),
    ("claude-opus-4", "claude-tools-366", 366),
    ("claude-sonnet-4", "claude-tools-366", 366),
];

/// The Claude band: every recorded figure of the families above is within it (see the
/// tests: reported counts 0.0% to 2.5% above ai-tokenizer's in accuracy.json).
/// The README's accuracies (sign unknown) allow 1.5% below.
pub const CLAUDE_BAND: Band = Band { low_permille: -20, high_permille: 30 };
/// The Gemini band (2.0 and 2.5 GA, 3 Pro preview): reported counts 2.0% below to 0.1% above.
pub const GEMINI_BAND: Band = Band { low_permille: -25, high_permille: 15 };
/// The band of the Gemini 2.5 "preview-09-2025" models: up to 8.1% above at ~500 tokens.
pub const GEMINI_PREVIEW_BAND: Band = Band { low_permille: -5, high_permille: 85 };

/// Gemini models with recorded figures (a name, or the name with a `-NNN` version).
const GEMINI_CALIBRATED: &[&str] =
    &["gemini-2.0-flash", "gemini-2.0-flash-lite", "gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-2.5-pro", "gemini-3-pro-preview"];

/// The model name from `claude` on, lower case, `.` between digits as `-`
/// (`anthropic/claude-opus-4.5` and `bedrock/anthropic.claude-opus-4-5-v1:0` are
/// `claude-opus-4-5...`).
fn claude_name(model: &str) -> Option<String> {
    let lower = model.to_ascii_lowercase();
    let at = lower.find("claude")?;
    let name = &lower[at..];
    let bytes = name.as_bytes();
    let mut out = String::with_capacity(name.len());
    for (i, c) in name.char_indices() {
        let between_digits = c == '.' && i > 0 && bytes[i - 1].is_ascii_digit() && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
        out.push(if between_digits { '-' } else { c });
    }
    Some(out)
}

/// True when the Claude `name` is the model `prefix` names, possibly dated or suffixed
/// (`claude-opus-4-20250514`, `claude-3-5-sonnet-latest`, `claude-opus-4-1@20250805`,
/// Bedrock's `-v1:0`), and not a later version (`claude-opus-4-6` is not `claude-opus-4`).
fn is_model(name: &str, prefix: &str) -> bool {
    let Some(rest) = name.strip_prefix(prefix) else { return false };
    let Some(after) = rest.strip_prefix('-') else { return rest.is_empty() || !rest.starts_with(|c: char| c.is_ascii_digit() || c == '.') };
    let digits = after.bytes().take_while(u8::is_ascii_digit).count();
    digits == 0 || digits == 8
}

/// True when the Gemini `name` is `model` or a numbered version of it (`gemini-2.0-flash-001`):
/// previews, experiments and image or audio variants are other models, without recorded figures.
fn is_gemini_model(name: &str, model: &str) -> bool {
    match name.strip_prefix(model) {
        Some("") => true,
        Some(rest) => rest.len() == 4 && rest.starts_with('-') && rest[1..].bytes().all(|b| b.is_ascii_digit()),
        None => false,
    }
}

fn gemini_name(model: &str) -> Option<String> {
    let lower = model.to_ascii_lowercase();
    let at = lower.find("gemini")?;
    Some(lower[at..].to_string())
}

impl Profile {
    /// The profile of `model` (see the module docs for the rule).
    pub fn for_model(model: &str) -> Profile {
        let make = |name, tokenizer, own_tokenizer, method, band, note: String| Profile {
            name,
            model: model.to_string(),
            tokenizer,
            own_tokenizer,
            method,
            band,
            note,
        };
        // (By kind, not by variant: the tokenizer.json variant exists when the tokenizer
        // crate has its `hf` feature, whichever crate turned it on.)
        let own = ModelTokenizer::for_model(model).ok();
        if let Some(t) = own.filter(|t| t.kind() == "encoding") {
            if t.name() == "o200k_harmony" {
                // gpt-oss: the harmony format adds a system header (identity, dates, reasoning
                // level, channels) the cookbook's rule does not count.
                let note = "the harmony format's system header is not counted".to_string();
                return make("openai-harmony", t, true, Method::ContentOnly, None, note);
            }
            return make("openai", t, true, Method::OpenAiCookbook(ChatFormat::for_model(model)), None, String::new());
        }
        if let Some(t) = own.filter(|t| tokfare_tokenizer::is_embedded_tokenizer(t.name())) {
            let note = format!("{} tokenizer.json counts the content; the chat template's tokens are not counted", t.name());
            return make("tokenizer.json", t, true, Method::ContentOnly, None, note);
        }
        if let Some(name) = claude_name(model) {
            let family = CLAUDE_FAMILIES.iter().find(|(prefix, _, _)| is_model(&name, prefix));
            let (profile, tools_exist, band) = match family {
                Some((_, profile, tools)) => (*profile, *tools, Some(CLAUDE_BAND)),
                None => ("claude", CLAUDE.tools_exist, None),
            };
            let note = format!(
                "Anthropic publishes no tokenizer for {model}: its legacy tokenizer with overheads fitted to reported input_tokens{}",
                if band.is_some() { "" } else { " (no recorded figures for this model: no error band)" }
            );
            let method = Method::Calibrated(Overheads { tools_exist, ..CLAUDE });
            return make(profile, ModelTokenizer::Encoding("claude"), false, method, band, note);
        }
        if let Some(name) = gemini_name(model) {
            let preview = name.starts_with("gemini-2.5-flash") && name.contains("preview-09-2025");
            let (profile, overheads, band) = if preview {
                ("gemini-2.5-preview-09-2025", GEMINI_PREVIEW_0925, Some(GEMINI_PREVIEW_BAND))
            } else if GEMINI_CALIBRATED.iter().any(|m| is_gemini_model(&name, m)) {
                ("gemini", GEMINI, Some(GEMINI_BAND))
            } else {
                ("gemini", GEMINI, None)
            };
            let note = format!(
                "Google publishes no tokenizer for {model}: o200k_base with overheads fitted to reported input_tokens{}",
                if band.is_some() { "" } else { " (no recorded figures for this model: no error band)" }
            );
            return make(profile, ModelTokenizer::Encoding("o200k_base"), false, Method::Calibrated(overheads), band, note);
        }
        let note = match own {
            Some(t) => {
                format!(
                    "{model}'s tokenizer ({}) is not bundled: counted with o200k_base; supply its tokenizer.json for an exact count",
                    t.name()
                )
            }
            None => format!("tokfare knows no public tokenizer for {model}: counted with o200k_base"),
        };
        make("fallback", ModelTokenizer::Encoding("o200k_base"), false, Method::ContentOnly, None, note)
    }

    /// The tokenizer, loaded (embedded vocabularies are shared).
    pub fn load(&self) -> Result<AnyTokenizer> {
        Ok(match self.tokenizer {
            ModelTokenizer::Encoding(name) => AnyTokenizer::Encoding(tokfare_tokenizer::get_encoding(name)?),
            #[allow(unreachable_patterns)]
            other => AnyTokenizer::tokenizer_file(other.name())?,
        })
    }

    /// Counts `request` (see [`method::count`]).
    pub fn count_request(&self, request: &Request) -> Result<RequestCount> {
        let tokenizer = self.load()?;
        let tokens = method::count(&self.method, &tokenizer, request)?;
        let exact = self.own_tokenizer && method::exact_for(&self.method, request);
        let media = method::has_media(request);
        let mut notes = Vec::new();
        if !exact {
            notes.push(if self.note.is_empty() {
                "OpenAI's cookbook rule is exact for text messages; tool calls, tool definitions and media are its estimate".to_string()
            } else {
                self.note.clone()
            });
            if media {
                notes.push("images and files count a flat placeholder (no band)".to_string());
            }
            if !request.uncounted.is_empty() {
                notes.push(format!("not counted: {}", request.uncounted.join(", ")));
            }
        }
        // A band holds for requests like the recorded ones: text, tool calls and tools.
        let band = if exact || media { None } else { self.band };
        Ok(RequestCount { tokens, exact, band, tokenizer: tokenizer.name().to_string(), profile: self.name, note: notes.join("; ") })
    }

    /// Counts `text` as content: the tokenizer's count, [`Profile::content_tokens`].
    pub fn count_text(&self, text: &str) -> Result<RequestCount> {
        let tokenizer = self.load()?;
        let tokens = self.content_tokens(tokenizer.count(text)? as u64);
        Ok(self.text_count(tokens, tokenizer.name()))
    }

    /// The tokens of content the tokenizer counts `raw`: times the content multiplier of
    /// a calibrated profile (rounded as the calibration does), else `raw`.
    pub fn content_tokens(&self, raw: u64) -> u64 {
        match self.method {
            Method::Calibrated(o) => method::scaled(raw as i64, o.content_multiplier).max(0) as u64,
            _ => raw,
        }
    }

    /// A text count of `tokens` (already [`Profile::content_tokens`]) with this profile's
    /// verdict. Never with a band: the recorded figures are of whole requests, whose
    /// overheads a bare text does not have.
    pub fn text_count(&self, tokens: u64, tokenizer: &str) -> RequestCount {
        let exact = self.own_tokenizer;
        RequestCount {
            tokens,
            exact,
            band: None,
            tokenizer: tokenizer.to_string(),
            profile: self.name,
            note: if exact { String::new() } else { self.note.clone() },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (model, predicted, reported) from ai-tokenizer's accuracy.json (coder/ai-tokenizer
    /// at 464bda1, requests of ~500, ~5k and ~50k tokens) and, for the 4.5 models and
    /// Gemini 3, its 1.0.6 README's accuracies (|error| ÷ reported, sign unknown: both
    /// signs are checked).
    const RECORDED: &[(&str, u64, u64)] = &[
        ("anthropic/claude-3-haiku", 612, 627),
        ("anthropic/claude-3-haiku", 4515, 4546),
        ("anthropic/claude-3-haiku", 45001, 45107),
        ("anthropic/claude-3-opus", 881, 893),
        ("anthropic/claude-3-opus", 4565, 4626),
        ("anthropic/claude-3-opus", 45057, 45191),
        ("anthropic/claude-3.5-haiku", 612, 627),
        ("anthropic/claude-3.5-haiku", 4527, 4536),
        ("anthropic/claude-3.5-haiku", 45046, 45107),
        ("anthropic/claude-3.5-sonnet", 661, 675),
        ("anthropic/claude-3.5-sonnet", 4554, 4588),
        ("anthropic/claude-3.5-sonnet", 45025, 45173),
        ("anthropic/claude-3.5-sonnet-20240620", 641, 654),
        ("anthropic/claude-3.5-sonnet-20240620", 4563, 4564),
        ("anthropic/claude-3.5-sonnet-20240620", 45085, 45147),
        ("anthropic/claude-3.7-sonnet", 660, 673),
        ("anthropic/claude-3.7-sonnet", 4573, 4592),
        ("anthropic/claude-3.7-sonnet", 45066, 45183),
        ("anthropic/claude-opus-4", 660, 673),
        ("anthropic/claude-opus-4", 4571, 4599),
        ("anthropic/claude-opus-4", 45043, 45161),
        ("anthropic/claude-opus-4.1", 661, 676),
        ("anthropic/claude-opus-4.1", 4582, 4590),
        ("anthropic/claude-opus-4.1", 45081, 45173),
        ("anthropic/claude-sonnet-4", 661, 673),
        ("anthropic/claude-sonnet-4", 4577, 4582),
        ("anthropic/claude-sonnet-4", 45027, 45105),
        ("anthropic/claude-sonnet-4.5", 843, 856),
        ("anthropic/claude-sonnet-4.5", 4554, 4604),
        ("anthropic/claude-sonnet-4.5", 45029, 45166),
        ("google/gemini-2.0-flash", 503, 493),
        ("google/gemini-2.0-flash", 4505, 4491),
        ("google/gemini-2.0-flash", 45017, 44993),
        ("google/gemini-2.0-flash-lite", 504, 495),
        ("google/gemini-2.0-flash-lite", 4524, 4508),
        ("google/gemini-2.0-flash-lite", 45041, 44937),
        ("google/gemini-2.5-flash", 498, 492),
        ("google/gemini-2.5-flash", 4533, 4515),
        ("google/gemini-2.5-flash", 45020, 44954),
        ("google/gemini-2.5-flash-lite", 499, 495),
        ("google/gemini-2.5-flash-lite", 4512, 4482),
        ("google/gemini-2.5-flash-lite", 45015, 44942),
        ("google/gemini-2.5-flash-lite-preview-09-2025", 460, 496),
        ("google/gemini-2.5-flash-lite-preview-09-2025", 4519, 4536),
        ("google/gemini-2.5-flash-lite-preview-09-2025", 45040, 44925),
        ("google/gemini-2.5-flash-preview-09-2025", 458, 495),
        ("google/gemini-2.5-flash-preview-09-2025", 4531, 4545),
        ("google/gemini-2.5-flash-preview-09-2025", 45024, 44908),
        ("google/gemini-2.5-pro", 499, 491),
        ("google/gemini-2.5-pro", 4534, 4508),
        ("google/gemini-2.5-pro", 45074, 44991),
    ];

    /// README accuracies (per 10,000 of the reported count) of models absent from the
    /// accuracy.json snapshot: claude-opus-4.5, claude-haiku-4.5, gemini-3-pro-preview.
    const README_ACCURACY: &[(&str, u64)] = &[
        ("anthropic/claude-opus-4.5", 9848),
        ("anthropic/claude-opus-4.5", 9856),
        ("anthropic/claude-opus-4.5", 9979),
        ("anthropic/claude-haiku-4.5", 9848),
        ("anthropic/claude-haiku-4.5", 9867),
        ("anthropic/claude-haiku-4.5", 9962),
        ("google/gemini-3-pro-preview", 9870),
        ("google/gemini-3-pro-preview", 9877),
        ("google/gemini-3-pro-preview", 9891),
    ];

    fn within(band: Band, predicted: u64, reported: u64) -> bool {
        // (reported - predicted) / predicted within [low, high] per mille, exactly.
        let diff = (reported as i128 - predicted as i128) * 1000;
        diff >= band.low_permille as i128 * predicted as i128 && diff <= band.high_permille as i128 * predicted as i128
    }

    #[test]
    fn every_recorded_figure_is_within_its_models_band() {
        for (model, predicted, reported) in RECORDED {
            let p = Profile::for_model(model);
            let band = p.band.unwrap_or_else(|| panic!("{model}: recorded figures but no band"));
            assert!(within(band, *predicted, *reported), "{model}: {predicted} vs {reported} outside {band}");
        }
        for (model, accuracy) in README_ACCURACY {
            let band = Profile::for_model(model).band.unwrap_or_else(|| panic!("{model}: no band"));
            // error = (1 - accuracy) x reported; predicted = reported -/+ error.
            let reported = 100_000u64;
            let error = (10_000 - accuracy) * reported / 10_000;
            for predicted in [reported - error, reported + error] {
                assert!(within(band, predicted, reported), "{model}: {predicted} vs {reported} outside {band}");
            }
        }
    }

    #[test]
    fn the_rule_picks_each_family() {
        let p = Profile::for_model("gpt-4o");
        assert_eq!((p.name, p.tokenizer.name(), p.own_tokenizer, p.band), ("openai", "o200k_base", true, None));
        let p = Profile::for_model("bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0");
        assert_eq!((p.name, p.tokenizer.name()), ("claude-tools-347", "claude"));
        assert!(matches!(p.method, Method::Calibrated(o) if o.tools_exist == 347));
        let p = Profile::for_model("anthropic/claude-opus-4.5");
        assert!(matches!(p.method, Method::Calibrated(o) if o.tools_exist == 549));
        assert_eq!(p.band, Some(CLAUDE_BAND));
        // A Claude without recorded figures: the family's rule, no band.
        let p = Profile::for_model("claude-opus-4-6");
        assert_eq!((p.name, p.band, p.own_tokenizer), ("claude", None, false));
        assert!(p.note.contains("no error band"), "{}", p.note);
        let p = Profile::for_model("vertex_ai/gemini-2.5-flash-preview-09-2025");
        assert_eq!((p.name, p.band), ("gemini-2.5-preview-09-2025", Some(GEMINI_PREVIEW_BAND)));
        let p = Profile::for_model("gemini/gemini-3.1-pro-preview");
        assert_eq!((p.name, p.band), ("gemini", None));
        let p = Profile::for_model("deepseek/deepseek-chat");
        assert_eq!((p.name, p.tokenizer.name(), p.band), ("fallback", "o200k_base", None));
        assert!(p.note.contains("deepseek_v3") && p.note.contains("supply its tokenizer.json"), "{}", p.note);
        let p = Profile::for_model("Qwen/Qwen3-8B");
        assert_eq!((p.name, p.tokenizer.name(), p.own_tokenizer), ("tokenizer.json", "qwen3", true));
        for (name, prefix, yes) in [
            ("claude-opus-4-20250514", "claude-opus-4", true),
            ("claude-opus-4", "claude-opus-4", true),
            ("claude-opus-4-6", "claude-opus-4", false),
            ("claude-opus-4-1@20250805", "claude-opus-4-1", true),
            ("claude-3-5-sonnet-latest", "claude-3-5-sonnet", true),
        ] {
            assert_eq!(is_model(name, prefix), yes, "{name} {prefix}");
        }
        for (name, model, yes) in [
            ("gemini-2.5-pro", "gemini-2.5-pro", true),
            ("gemini-2.0-flash-001", "gemini-2.0-flash", true),
            ("gemini-2.5-pro-preview-06-05", "gemini-2.5-pro", false),
            ("gemini-2.5-flash-image", "gemini-2.5-flash", false),
            ("gemini-2.0-flash-lite", "gemini-2.0-flash", false),
        ] {
            assert_eq!(is_gemini_model(name, model), yes, "{name} {model}");
        }
        let p = Profile::for_model("gpt-oss-120b");
        assert_eq!((p.name, p.own_tokenizer, p.method), ("openai-harmony", true, Method::ContentOnly));
        assert_eq!(Band { low_permille: -25, high_permille: 5 }.to_string(), "-2.5%..+0.5%");
    }
}
