//! Provider `usage` objects -> [`Usage`]: the one place that knows what each
//! provider's counts include. The table in `docs/usage-normalisation.md` is the prose
//! version of this file; `crates/pricing/tests/providers.rs` pins every row.
//!
//! | provider field | includes | tokfare class |
//! |---|---|---|
//! | OpenAI `prompt_tokens` / `input_tokens` | cached, written, audio and image prompt tokens | `input` = prompt − cached − written − audio − image |
//! | OpenAI `*_tokens_details.cached_tokens` | — | `cached_input` (`explicit_cached_input` when `cache_type` is `ephemeral`, Dashscope) |
//! | OpenAI `*_tokens_details.cache_write_tokens` | 30-minute and 12-hour writes | `cache_write_5m` (30 minutes and unattributed) + `cache_write_12h` (`cache_write_tokens_details.ttl_12h_tokens`) |
//! | OpenAI `completion_tokens` / `output_tokens` | reasoning, audio and image output | `output` = completion − reasoning − audio − image |
//! | OpenAI `completion_tokens_details.reasoning_tokens` | — | `reasoning` |
//! | xAI reasoning when `total_tokens` = prompt + completion + reasoning; Perplexity top-level `reasoning_tokens` | **not** in `completion_tokens` | `reasoning` (output = completion − audio − image) |
//! | Anthropic `input_tokens` | neither cache reads nor cache writes | `input` |
//! | Anthropic `cache_read_input_tokens` | — | `cached_input` |
//! | Anthropic `cache_creation_input_tokens` | both TTLs | `cache_write_5m` + `cache_write_1h` (split by `cache_creation.ephemeral_*`; all 5m when absent) |
//! | Anthropic `output_tokens` | thinking tokens (not reported apart) | `output` |
//! | Perplexity `citation_tokens` | not in `prompt_tokens` | `citation_tokens` (billed only where priced) |
//! | Anthropic `server_tool_use.web_search_requests`; xAI `server_side_tool_usage_details.web_search_calls`; Perplexity `num_search_queries` | — | `web_search_requests` |
//! | Gemini `promptTokenCount` | cached content tokens | `input` = prompt − cached − uncached AUDIO / IMAGE / VIDEO (+ `toolUsePromptTokenCount`) |
//! | Gemini `cachedContentTokenCount` | cached tokens of every modality | `cached_input` = cached − cached AUDIO − cached IMAGE; `cached_audio_input`, `cached_image_input` |
//! | Gemini `candidatesTokenCount` | not thoughts | `output` (minus AUDIO, IMAGE, VIDEO → `audio_output`, `image_output`, `video_output`) |
//! | Gemini `thoughtsTokenCount` | — | `reasoning` |

use super::schedule::{parse_speed, Conditions};
use super::usage::Usage;
use crate::{Error, Result};
use std::fmt;
use std::str::FromStr;
use tokfare_json::{self as json, Value};

/// Whose `usage` object this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Provider {
    /// OpenAI Chat Completions `usage` (`prompt_tokens`, `completion_tokens`, details).
    OpenAIChat,
    /// OpenAI Responses API `usage` (`input_tokens`, `output_tokens`, details).
    OpenAIResponses,
    /// Anthropic Messages `usage`.
    Anthropic,
    /// Google Gemini `usageMetadata`.
    Gemini,
    /// tokfare's own disjoint classes (`{"input": .., "cached_input": .., "output": ..}`).
    Tokfare,
}

impl Provider {
    /// The name used in files and bindings.
    pub fn name(self) -> &'static str {
        match self {
            Provider::OpenAIChat => "openai_chat",
            Provider::OpenAIResponses => "openai_responses",
            Provider::Anthropic => "anthropic",
            Provider::Gemini => "gemini",
            Provider::Tokfare => "tokfare",
        }
    }

    /// Guesses the provider from the fields present. Anthropic and an OpenAI Responses
    /// object without `*_details` look alike, and then also mean the same thing.
    pub fn detect(usage: &Value<'_>) -> Option<Provider> {
        let has = |key: &str| json::get(usage, key).is_some();
        if has("usageMetadata") || has("promptTokenCount") || has("candidatesTokenCount") {
            Some(Provider::Gemini)
        } else if has("prompt_tokens") || has("completion_tokens") {
            Some(Provider::OpenAIChat)
        } else if has("input_tokens_details") || has("output_tokens_details") {
            Some(Provider::OpenAIResponses)
        } else if has("input_tokens") || has("output_tokens") || has("cache_read_input_tokens") {
            Some(Provider::Anthropic)
        } else if Usage::field_names().iter().any(|name| has(name)) {
            // tokfare's own form: any of its count names (`input`, `seconds` ...).
            Some(Provider::Tokfare)
        } else {
            None
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Provider {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "openai" | "openai_chat" | "chat" => Ok(Provider::OpenAIChat),
            "openai_responses" | "responses" => Ok(Provider::OpenAIResponses),
            "anthropic" => Ok(Provider::Anthropic),
            "gemini" | "google" | "vertex_ai" => Ok(Provider::Gemini),
            "tokfare" => Ok(Provider::Tokfare),
            _ => Err(Error::InvalidArgument {
                name: "provider",
                reason: format!("unknown provider {s:?} (openai_chat, openai_responses, anthropic, gemini, tokfare)"),
            }),
        }
    }
}

/// Parses one provider `usage` object (as JSON text) into disjoint classes, for one request.
pub fn parse_usage(json_text: &str, provider: Option<Provider>) -> Result<Usage> {
    let mut bytes = json_text.as_bytes().to_vec();
    let value = json::parse(&mut bytes, |reason| Error::InvalidUsage { line: None, path: "$".into(), reason })?;
    usage_from_value(&value, provider, "$")
}

/// Reads a parsed `usage` object; `path` prefixes field names in errors.
pub fn usage_from_value(value: &Value<'_>, provider: Option<Provider>, path: &str) -> Result<Usage> {
    if !json::is_object(value) {
        return Err(bad(path, "a usage object must be a JSON object".into()));
    }
    let provider = match provider {
        Some(p) => p,
        None => Provider::detect(value)
            .ok_or_else(|| bad(path, "cannot tell which provider this usage object is from; name the provider".into()))?,
    };
    match provider {
        Provider::OpenAIChat => openai(value, path, "prompt_tokens", "completion_tokens"),
        Provider::OpenAIResponses => openai(value, path, "input_tokens", "output_tokens"),
        Provider::Anthropic => anthropic(value, path),
        Provider::Gemini => match json::get(value, "usageMetadata") {
            Some(inner) => gemini(inner, &format!("{path}.usageMetadata")),
            None => gemini(value, path),
        },
        Provider::Tokfare => tokfare(value, path),
    }
}

/// The conditions a usage object states itself: Anthropic's `inference_geo` (a
/// region) and `speed` (`fast` or `standard`). Read from any provider's usage; absent
/// fields leave the conditions unstated.
pub fn usage_conditions(value: &Value<'_>, path: &str) -> Result<Conditions> {
    let mut conditions = Conditions::default();
    if let Some(geo) = json::opt_str(value, "inference_geo", path, bad)? {
        conditions.region = geo.parse().map_err(|e: Error| bad(&format!("{path}.inference_geo"), e.to_string()))?;
    }
    if let Some(speed) = json::opt_str(value, "speed", path, bad)? {
        conditions.fast = parse_speed(speed).map_err(|e| bad(&format!("{path}.speed"), e.to_string()))?;
    }
    Ok(conditions)
}

fn bad(path: &str, reason: String) -> Error {
    Error::InvalidUsage { line: None, path: path.to_string(), reason }
}

fn count(obj: &Value<'_>, path: &str, key: &str) -> Result<u64> {
    Ok(json::opt_u64(obj, key, path, bad)?.unwrap_or(0))
}

fn required(obj: &Value<'_>, path: &str, key: &str) -> Result<u64> {
    json::opt_u64(obj, key, path, bad)?.ok_or_else(|| bad(&format!("{path}.{key}"), "missing".into()))
}

/// `whole - parts`, refusing reports whose parts exceed the whole (they would make a
/// negative quantity, and mean the report is not what this parser assumes).
fn minus(whole: u64, whole_path: &str, parts: &[(u64, &str)]) -> Result<u64> {
    let sum: u64 = parts.iter().map(|p| p.0).sum();
    whole.checked_sub(sum).ok_or_else(|| {
        let names: Vec<&str> = parts.iter().map(|p| p.1).collect();
        bad(whole_path, format!("{whole} is less than the {} it includes ({sum})", names.join(" + ")))
    })
}

fn openai(v: &Value<'_>, path: &str, prompt_key: &str, completion_key: &str) -> Result<Usage> {
    let prompt = required(v, path, prompt_key)?;
    let completion = count(v, path, completion_key)?;
    let (in_details, out_details) = if prompt_key == "prompt_tokens" {
        ("prompt_tokens_details", "completion_tokens_details")
    } else {
        ("input_tokens_details", "output_tokens_details")
    };
    let in_path = format!("{path}.{in_details}");
    let out_path = format!("{path}.{out_details}");
    let (mut cached, mut audio_in, mut image_in, mut writes) = (0, 0, 0, CacheWrites::default());
    let mut explicit = false;
    if let Some(d) = json::get_object(v, in_details, path, bad)? {
        cached = count(d, &in_path, "cached_tokens")?;
        // Dashscope: hits of a cache the caller created explicitly (LiteLLM U:582-644).
        explicit = json::opt_str(d, "cache_type", &in_path, bad)? == Some("ephemeral");
        audio_in = count(d, &in_path, "audio_tokens")?;
        image_in = count(d, &in_path, "image_tokens")?;
        writes = openai_cache_writes(d, &in_path)?;
    }
    let (mut reasoning, audio_out, image_out) = match json::get_object(v, out_details, path, bad)? {
        Some(d) => (count(d, &out_path, "reasoning_tokens")?, count(d, &out_path, "audio_tokens")?, count(d, &out_path, "image_tokens")?),
        None => (0, 0, 0),
    };
    // Reasoning outside the completion count: Perplexity reports `reasoning_tokens` at the
    // top level, apart from `completion_tokens`; xAI reports it in the details but leaves
    // it out of `completion_tokens`, which `total_tokens` shows (LiteLLM: "added to
    // completion unless total == prompt + completion").
    let mut reasoning_outside = false;
    if reasoning == 0 {
        if let Some(r) = json::opt_u64(v, "reasoning_tokens", path, bad)? {
            (reasoning, reasoning_outside) = (r, true);
        }
    } else if let Some(total) = json::opt_u64(v, "total_tokens", path, bad)? {
        reasoning_outside =
            total != prompt.saturating_add(completion) && total == prompt.saturating_add(completion).saturating_add(reasoning);
    }
    let prompt_parts =
        [(cached, "cached_tokens"), (writes.total(), "cache_write_tokens"), (audio_in, "audio_tokens"), (image_in, "image_tokens")];
    let inside = if reasoning_outside { 0 } else { reasoning };
    let completion_parts = [(inside, "reasoning_tokens"), (audio_out, "audio_tokens"), (image_out, "image_tokens")];
    Ok(Usage {
        input: minus(prompt, &format!("{path}.{prompt_key}"), &prompt_parts)?,
        cached_input: if explicit { 0 } else { cached },
        explicit_cached_input: if explicit { cached } else { 0 },
        cache_write_5m: writes.short,
        cache_write_12h: writes.h12,
        audio_input: audio_in,
        image_input: image_in,
        output: minus(completion, &format!("{path}.{completion_key}"), &completion_parts)?,
        reasoning,
        audio_output: audio_out,
        image_output: image_out,
        requests: 1,
        web_search_requests: openai_web_searches(v, path)?,
        // Perplexity reports the tokens of the sources it read apart from the prompt.
        citation_tokens: count(v, path, "citation_tokens")?,
        ..Usage::default()
    })
}

/// Cache writes OpenAI reports: 5- and 30-minute writes (both at the cache-write price,
/// as LiteLLM bills them) and 12-hour writes.
#[derive(Default)]
struct CacheWrites {
    short: u64,
    h12: u64,
}

impl CacheWrites {
    fn total(&self) -> u64 {
        self.short + self.h12
    }
}

/// `cache_write_tokens` with `cache_write_tokens_details.{ttl_30m_tokens, ttl_12h_tokens}`;
/// writes the details do not attribute are short-lived (LiteLLM, U:1034-1038).
fn openai_cache_writes(details: &Value<'_>, path: &str) -> Result<CacheWrites> {
    let total = count(details, path, "cache_write_tokens")?;
    let Some(split) = json::get_object(details, "cache_write_tokens_details", path, bad)? else {
        return Ok(CacheWrites { short: total, h12: 0 });
    };
    let split_path = format!("{path}.cache_write_tokens_details");
    let (m30, h12) = (count(split, &split_path, "ttl_30m_tokens")?, count(split, &split_path, "ttl_12h_tokens")?);
    let rest = minus(total, &format!("{path}.cache_write_tokens"), &[(m30, "ttl_30m_tokens"), (h12, "ttl_12h_tokens")])?;
    Ok(CacheWrites { short: rest + m30, h12 })
}

/// Web searches an OpenAI-shaped usage reports: xAI's
/// `server_side_tool_usage_details.web_search_calls`, Perplexity's `num_search_queries`
/// (or `search_queries`), or Anthropic-style `server_tool_use.web_search_requests`.
/// OpenAI's own web-search calls are output items of the response, counted by the
/// event reader.
fn openai_web_searches(v: &Value<'_>, path: &str) -> Result<u64> {
    if let Some(d) = json::get_object(v, "server_side_tool_usage_details", path, bad)? {
        return count(d, &format!("{path}.server_side_tool_usage_details"), "web_search_calls");
    }
    if let Some(d) = json::get_object(v, "server_tool_use", path, bad)? {
        return count(d, &format!("{path}.server_tool_use"), "web_search_requests");
    }
    match json::opt_u64(v, "num_search_queries", path, bad)? {
        Some(n) => Ok(n),
        None => count(v, path, "search_queries"),
    }
}

fn anthropic(v: &Value<'_>, path: &str) -> Result<Usage> {
    let writes = count(v, path, "cache_creation_input_tokens")?;
    let (write_5m, write_1h) = match json::get_object(v, "cache_creation", path, bad)? {
        Some(split) => {
            let split_path = format!("{path}.cache_creation");
            let (m5, h1) =
                (count(split, &split_path, "ephemeral_5m_input_tokens")?, count(split, &split_path, "ephemeral_1h_input_tokens")?);
            // Older responses carry only the total; when both are there they must agree.
            if json::get(v, "cache_creation_input_tokens").is_some() && m5 + h1 != writes {
                return Err(bad(
                    &split_path,
                    format!("ephemeral_5m + ephemeral_1h = {} but cache_creation_input_tokens = {writes}", m5 + h1),
                ));
            }
            (m5, h1)
        }
        None => (writes, 0),
    };
    Ok(Usage {
        input: required(v, path, "input_tokens")?,
        cached_input: count(v, path, "cache_read_input_tokens")?,
        cache_write_5m: write_5m,
        cache_write_1h: write_1h,
        output: count(v, path, "output_tokens")?,
        requests: 1,
        web_search_requests: match json::get_object(v, "server_tool_use", path, bad)? {
            Some(tools) => count(tools, &format!("{path}.server_tool_use"), "web_search_requests")?,
            None => 0,
        },
        ..Usage::default()
    })
}

/// Sum of `tokenCount` over the entries of a `*TokensDetails` list with this modality.
fn modality(v: &Value<'_>, path: &str, key: &str, wanted: &str) -> Result<u64> {
    let Some(list) = json::get(v, key) else { return Ok(0) };
    let items = json::as_array(list).ok_or_else(|| bad(&format!("{path}.{key}"), "must be a list".into()))?;
    let mut total = 0;
    for (i, item) in items.iter().enumerate() {
        let item_path = format!("{path}.{key}[{i}]");
        if json::get(item, "modality").and_then(json::as_str) == Some(wanted) {
            total += count(item, &item_path, "tokenCount")?;
        }
    }
    Ok(total)
}

fn gemini(v: &Value<'_>, path: &str) -> Result<Usage> {
    let prompt = count(v, path, "promptTokenCount")?;
    let cached = count(v, path, "cachedContentTokenCount")?;
    let tool_prompt = count(v, path, "toolUsePromptTokenCount")?;
    // Audio, image and video prompt tokens are priced apart from text, and so are
    // cached audio and image tokens (LiteLLM has no cached-video price: cached video is
    // a cache read).
    let details = format!("{path}.promptTokensDetails");
    let uncached = |name: &str| -> Result<u64> {
        let all = modality(v, path, "promptTokensDetails", name)?;
        let cached = modality(v, path, "cacheTokensDetails", name)?;
        minus(all, &details, &[(cached, &format!("cached {name}"))])
    };
    let (audio_in, image_in, video_in) = (uncached("AUDIO")?, uncached("IMAGE")?, uncached("VIDEO")?);
    let cached_audio = modality(v, path, "cacheTokensDetails", "AUDIO")?;
    let cached_image = modality(v, path, "cacheTokensDetails", "IMAGE")?;
    let cached_text =
        minus(cached, &format!("{path}.cachedContentTokenCount"), &[(cached_audio, "cached AUDIO"), (cached_image, "cached IMAGE")])?;
    let audio_out = modality(v, path, "candidatesTokensDetails", "AUDIO")?;
    let image_out = modality(v, path, "candidatesTokensDetails", "IMAGE")?;
    let video_out = modality(v, path, "candidatesTokensDetails", "VIDEO")?;
    let candidates = count(v, path, "candidatesTokenCount")?;
    let prompt_path = format!("{path}.promptTokenCount");
    let prompt_parts =
        [(cached, "cachedContentTokenCount"), (audio_in, "AUDIO tokens"), (image_in, "IMAGE tokens"), (video_in, "VIDEO tokens")];
    let output_parts = [(audio_out, "AUDIO tokens"), (image_out, "IMAGE tokens"), (video_out, "VIDEO tokens")];
    Ok(Usage {
        input: minus(prompt, &prompt_path, &prompt_parts)? + tool_prompt,
        cached_input: cached_text,
        cached_audio_input: cached_audio,
        cached_image_input: cached_image,
        audio_input: audio_in,
        image_input: image_in,
        video_input: video_in,
        output: minus(candidates, &format!("{path}.candidatesTokenCount"), &output_parts)?,
        audio_output: audio_out,
        image_output: image_out,
        video_output: video_out,
        reasoning: count(v, path, "thoughtsTokenCount")?,
        requests: 1,
        ..Usage::default()
    })
}

fn tokfare(v: &Value<'_>, path: &str) -> Result<Usage> {
    let mut usage = Usage::default();
    let mut requests_given = false;
    for (key, _) in json::entries(v) {
        let n = count(v, path, key)?;
        usage
            .set_by_name(key, n)
            .map_err(|_| bad(&format!("{path}.{key}"), format!("unknown field (one of {})", Usage::field_names().join(", "))))?;
        requests_given |= key == "requests";
    }
    if !requests_given {
        usage.requests = 1;
    }
    Ok(usage)
}
