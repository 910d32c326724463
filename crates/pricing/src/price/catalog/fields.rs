//! Every key of a LiteLLM price entry, classified: the one place that says which
//! fields tokfare applies, which it knows but cannot apply, and which are metadata.
//!
//! The rule is "no silent misprice": a price field tokfare does not apply, or does not
//! know, makes pricing that model an [`Error::UnsupportedPrice`](crate::Error) naming
//! the field (unless the catalog is loaded with `ignore_unknown_price_fields`). Fees on
//! quantities tokfare's [`Usage`](super::super::Usage) does not carry (web-search
//! queries, pages, characters ...) are *unmetered*: a request is priced without them,
//! and `tokfare catalog check` lists them. docs/catalog.md states each rule and its
//! source in LiteLLM's cost code (docs/litellm-rules.md).

use super::super::schedule::{MediaResolution, Service};
use super::super::usage::{TokenClass, Unit};

/// What a key of a catalog entry is to tokfare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A price tokfare applies: a token rate ([`TokenKey`]) or a per-unit fee.
    Applied,
    /// A fee on a quantity tokfare's usage does not carry, or a condition its requests
    /// cannot state (the reason says which): requests are priced without it.
    Unmetered(&'static str),
    /// A price rule tokfare knows but does not apply yet: pricing the model is refused.
    Unsupported(&'static str),
    /// A key LiteLLM's own cost code never reads (a duplicate, a non-USD unit): neither
    /// applied nor an error.
    Inert(&'static str),
    /// Known metadata (provider, mode, limits, capabilities, dates).
    Metadata,
    /// Not known, and named like a price: pricing the model is refused.
    UnknownPrice,
    /// Not known and not named like a price: ignored (listed by `catalog check`).
    UnknownOther,
}

impl FieldKind {
    /// The kind's name in `catalog check` reports.
    pub fn name(self) -> &'static str {
        match self {
            FieldKind::Applied => "applied",
            FieldKind::Unmetered(_) => "unmetered",
            FieldKind::Unsupported(_) => "unsupported",
            FieldKind::Inert(_) => "inert",
            FieldKind::Metadata => "metadata",
            FieldKind::UnknownPrice => "unknown price",
            FieldKind::UnknownOther => "unknown",
        }
    }

    /// True when a model carrying this field must not be priced (unless ignored).
    pub fn refuses(self) -> bool {
        matches!(self, FieldKind::Unsupported(_) | FieldKind::UnknownPrice)
    }
}

/// A per-token price key, parsed: `{class}[_above_1hr|_above_12hr][_above_{N}k_tokens][_{service}]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenKey {
    /// The token class it prices.
    pub class: TokenClass,
    /// The context tier it belongs to: prompts longer than this many tokens.
    pub above: Option<u64>,
    /// The service it prices (standard when there is no suffix).
    pub service: Service,
}

/// The per-token classes of LiteLLM's file that tokfare's usage carries, longest first
/// where one name starts another.
const TOKEN_CLASSES: [(&str, TokenClass); 16] = [
    ("cache_creation_input_token_cost_above_12hr", TokenClass::CacheWrite12h),
    ("cache_creation_input_token_cost_above_1hr", TokenClass::CacheWrite1h),
    ("cache_creation_input_token_cost", TokenClass::CacheWrite5m),
    ("cache_read_input_token_cost", TokenClass::CachedInput),
    ("cache_read_input_audio_token_cost", TokenClass::CachedAudioInput),
    ("cache_read_input_image_token_cost", TokenClass::CachedImageInput),
    ("explicit_cache_read_input_token_cost", TokenClass::ExplicitCachedInput),
    ("input_cost_per_video_token", TokenClass::VideoInput),
    ("output_cost_per_video_token", TokenClass::VideoOutput),
    ("output_cost_per_reasoning_token", TokenClass::Reasoning),
    ("input_cost_per_audio_token", TokenClass::AudioInput),
    ("output_cost_per_audio_token", TokenClass::AudioOutput),
    ("input_cost_per_image_token", TokenClass::ImageInput),
    ("output_cost_per_image_token", TokenClass::ImageOutput),
    ("input_cost_per_token", TokenClass::Input),
    ("output_cost_per_token", TokenClass::Output),
];

/// Per-unit fees tokfare applies (`Usage::requests`, `images`, `seconds`, `characters`,
/// `pages`, `annotation_pages`, `queries`, `citation_tokens`).
pub const UNIT_FIELDS: [&str; 13] = [
    "input_cost_per_request",
    "input_cost_per_image",
    "output_cost_per_image",
    "input_cost_per_second",
    "output_cost_per_second",
    "input_cost_per_character",
    "output_cost_per_character",
    "ocr_cost_per_page",
    "ocr_cost_per_page_batches",
    "annotation_cost_per_page",
    "annotation_cost_per_page_batches",
    "input_cost_per_query",
    "citation_cost_per_token",
];

/// Metadata keys tokfare reads or knows.
const METADATA: [&str; 28] = [
    "litellm_provider",
    "mode",
    "max_input_tokens",
    "max_output_tokens",
    "max_tokens",
    "deprecation_date",
    "deprecation_source",
    "alias_of",
    "effective_date",
    "source",
    "successor_model",
    "metadata",
    "comment",
    "tpm",
    "rpm",
    "output_vector_size",
    "prompt_cache_min_tokens",
    "default_reasoning_effort",
    "thinking_always_on",
    "thinking_on_by_default",
    "use_openai_responses_path",
    "uses_embed_content",
    "vertex_ai_audio_api",
    "audio_transcription_config",
    "max_audio_length_hours",
    "max_audio_per_prompt",
    "max_images_per_prompt",
    "max_videos_per_prompt",
];
const METADATA_PREFIXES: [&str; 7] = ["supports_", "supported_", "token_count_", "reasoning_", "bedrock_", "gemini_", "max_"];

/// Parses a per-token key tokfare applies (`input_cost_per_token_above_200k_tokens_priority`).
pub fn token_key(key: &str) -> Option<TokenKey> {
    let (rest, class) = TOKEN_CLASSES.iter().find_map(|(name, class)| key.strip_prefix(name).map(|rest| (rest, *class)))?;
    let (above, rest) = match rest.strip_prefix("_above_") {
        Some(tail) => {
            let (n, rest) = tail.split_once("k_tokens")?;
            (Some(n.parse::<u64>().ok()?.checked_mul(1000)?), rest)
        }
        None => (None, rest),
    };
    let service = match rest {
        "" => Service::Standard,
        suffix => {
            let name = suffix.strip_prefix('_')?;
            *Service::ALL.iter().find(|s| s.litellm_suffix() == Some(name))?
        }
    };
    Some(TokenKey { class, above, service })
}

/// Rules tokfare applies that are more than one rate (see `structured.rs`): rates by
/// prompt length, off-peak windows, web-search prices, and the uplift multipliers.
pub const STRUCTURED_FIELDS: [&str; 10] = [
    "tiered_pricing",
    "off_peak_pricing",
    "search_context_cost_per_query",
    "web_search_billing_unit",
    "regional_processing_uplift_multiplier_eu",
    "regional_processing_uplift_multiplier_us",
    "fedramp_uplift_multiplier",
    "regional_endpoint_uplift_multiplier",
    "provider_specific_entry",
    "google_maps_grounding_cost_per_query",
];

/// A per-image or per-second price by resolution (`output_cost_per_second_720p`,
/// `output_cost_per_image_2K`): the unit and the resolution.
pub fn resolution_key(key: &str) -> Option<(Unit, MediaResolution)> {
    let (unit, res) = if let Some(r) = key.strip_prefix("output_cost_per_second_") {
        (Unit::Second, r)
    } else {
        (Unit::Image, key.strip_prefix("output_cost_per_image_")?)
    };
    Some((unit, res.parse().ok()?))
}

/// What `key` is to tokfare (see the module docs).
pub fn classify(key: &str) -> FieldKind {
    if token_key(key).is_some() || UNIT_FIELDS.contains(&key) || STRUCTURED_FIELDS.contains(&key) || resolution_key(key).is_some() {
        return FieldKind::Applied;
    }
    if let Some(kind) = known(key) {
        return kind;
    }
    if METADATA.contains(&key) || METADATA_PREFIXES.iter().any(|p| key.starts_with(p)) {
        return FieldKind::Metadata;
    }
    const PRICE_WORDS: [&str; 8] = ["cost", "price", "pricing", "multiplier", "uplift", "fee", "free_requests", "billing_unit"];
    if PRICE_WORDS.iter().any(|w| key.contains(w)) {
        FieldKind::UnknownPrice
    } else {
        FieldKind::UnknownOther
    }
}

/// Price fields of LiteLLM's file that tokfare knows but does not apply.
fn known(key: &str) -> Option<FieldKind> {
    use FieldKind::{Inert, Unmetered, Unsupported};
    let starts = |p: &str| key.starts_with(p);
    Some(match key {
        "input_cost_per_token_cache_hit" => Inert("a duplicate of cache_read_input_token_cost that LiteLLM never reads"),
        "cache_creation_input_audio_token_cost" => Inert("never read by LiteLLM's cost code"),
        "input_dbu_cost_per_token" | "output_dbu_cost_per_token" => Inert("Databricks DBUs, not money; never read by LiteLLM"),
        "input_cost_per_text_message" => Unmetered("realtime text messages"),
        "code_interpreter_cost_per_session" => Unmetered("code-interpreter sessions"),
        "guardrail_cost_per_unit" => Unmetered("guardrail units"),
        "cost_per_second" => Unmetered("wall-clock seconds of a response"),
        "search_free_requests" => Unmetered(
            "a free allowance of web-search queries shared by a group of models per day or month (LiteLLM applies it only in its proxy): every query is charged",
        ),
        "input_cost_per_character_above_128k_tokens" | "output_cost_per_character_above_128k_tokens" => {
            Unsupported("prices per character in long prompts (Vertex AI's own calculator)")
        }
        _ if starts("input_cost_per_pixel") || starts("output_cost_per_pixel") => Unmetered("pixels"),
        _ if starts("input_cost_per_audio_per_second") => Unmetered("seconds of audio input"),
        _ if starts("input_cost_per_video_per_second") || starts("output_cost_per_video_per_second") => Unmetered("seconds of video"),
        "input_cost_per_image_above_128k_tokens" => Unmetered("images in long prompts (never read by LiteLLM)"),
        "ocr_cost_per_credit" => Unmetered("OCR credits"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_keys_parse_class_tier_and_service() {
        let k = |class, above, service| Some(TokenKey { class, above, service });
        assert_eq!(token_key("input_cost_per_token"), k(TokenClass::Input, None, Service::Standard));
        assert_eq!(token_key("input_cost_per_token_above_200k_tokens_priority"), k(TokenClass::Input, Some(200_000), Service::Priority));
        assert_eq!(token_key("cache_read_input_token_cost_batches"), k(TokenClass::CachedInput, None, Service::Batch));
        assert_eq!(
            token_key("cache_creation_input_token_cost_above_1hr_above_100k_tokens"),
            k(TokenClass::CacheWrite1h, Some(100_000), Service::Standard)
        );
        assert_eq!(token_key("output_cost_per_token_ultrafast"), k(TokenClass::Output, None, Service::Ultrafast));
        assert_eq!(token_key("input_cost_per_token_cache_hit"), None);
        assert_eq!(token_key("input_cost_per_token_turbo"), None);
        assert_eq!(token_key("cache_creation_input_token_cost_above_12hr"), k(TokenClass::CacheWrite12h, None, Service::Standard));
        assert_eq!(
            token_key("cache_creation_input_token_cost_above_12hr_above_272k_tokens_priority"),
            k(TokenClass::CacheWrite12h, Some(272_000), Service::Priority)
        );
        assert_eq!(token_key("cache_read_input_audio_token_cost_flex"), k(TokenClass::CachedAudioInput, None, Service::Flex));
        assert_eq!(token_key("input_cost_per_video_token_batches"), k(TokenClass::VideoInput, None, Service::Batch));
        assert_eq!(token_key("input_cost_per_token_above_k_tokens"), None);
    }

    #[test]
    fn every_key_has_a_kind_and_unknown_prices_refuse() {
        assert_eq!(classify("output_cost_per_image"), FieldKind::Applied);
        assert_eq!(classify("supports_vision"), FieldKind::Metadata);
        assert_eq!(classify("tiered_pricing"), FieldKind::Applied);
        assert!(classify("input_cost_per_token_turbo").refuses(), "an unknown service suffix is not the base price");
        assert!(classify("storage_fee_per_gb").refuses());
        assert_eq!(classify("search_context_cost_per_query"), FieldKind::Applied);
        assert_eq!(classify("fedramp_uplift_multiplier"), FieldKind::Applied);
        assert!(!classify("search_free_requests").refuses());
        assert_eq!(classify("knowledge_cutoff"), FieldKind::UnknownOther);
    }
}
