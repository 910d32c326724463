//! What a request consumed, in disjoint token classes.
//!
//! Every token a provider bills falls in exactly one class, so the classes add up to
//! the billed total and no token is priced twice. The provider parsers in
//! [`super::providers`] are where each provider's overlapping counts (OpenAI's
//! `prompt_tokens` includes its cached tokens; Anthropic's `input_tokens` does not) are
//! taken apart into these classes.

use crate::{Error, Result};
use std::fmt;
use std::str::FromStr;

/// A kind of token with its own rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TokenClass {
    /// Prompt tokens read neither from nor into a cache.
    Input,
    /// Prompt tokens served from the provider's prompt cache (cache read / hit).
    CachedInput,
    /// Prompt tokens written to a cache that lives 5 minutes (Anthropic's default TTL).
    CacheWrite5m,
    /// Prompt tokens written to a cache that lives 1 hour.
    CacheWrite1h,
    /// Visible output tokens (not reasoning, not audio or image).
    Output,
    /// Reasoning / thinking tokens the provider reported separately from output.
    Reasoning,
    /// Audio prompt tokens.
    AudioInput,
    /// Audio output tokens.
    AudioOutput,
    /// Image prompt tokens, when the provider prices them apart from text.
    ImageInput,
    /// Generated image tokens.
    ImageOutput,
    /// Prompt tokens written to a cache that lives 12 hours (OpenAI's extended retention).
    CacheWrite12h,
    /// Video prompt tokens, when the provider prices them apart from text.
    VideoInput,
    /// Generated video tokens.
    VideoOutput,
    /// Audio prompt tokens served from the prompt cache.
    CachedAudioInput,
    /// Image prompt tokens served from the prompt cache.
    CachedImageInput,
    /// Prompt tokens served from an explicit (ephemeral) cache the caller created
    /// (Dashscope `cache_type: "ephemeral"`), priced apart from implicit cache hits.
    ExplicitCachedInput,
}

impl TokenClass {
    /// Every class, in the order invoices list them.
    pub const ALL: [TokenClass; 16] = [
        TokenClass::Input,
        TokenClass::CachedInput,
        TokenClass::CacheWrite5m,
        TokenClass::CacheWrite1h,
        TokenClass::Output,
        TokenClass::Reasoning,
        TokenClass::AudioInput,
        TokenClass::AudioOutput,
        TokenClass::ImageInput,
        TokenClass::ImageOutput,
        TokenClass::CacheWrite12h,
        TokenClass::VideoInput,
        TokenClass::VideoOutput,
        TokenClass::CachedAudioInput,
        TokenClass::CachedImageInput,
        TokenClass::ExplicitCachedInput,
    ];

    /// The snake_case name used in files, bindings and invoices.
    pub fn name(self) -> &'static str {
        match self {
            TokenClass::Input => "input",
            TokenClass::CachedInput => "cached_input",
            TokenClass::CacheWrite5m => "cache_write_5m",
            TokenClass::CacheWrite1h => "cache_write_1h",
            TokenClass::Output => "output",
            TokenClass::Reasoning => "reasoning",
            TokenClass::AudioInput => "audio_input",
            TokenClass::AudioOutput => "audio_output",
            TokenClass::ImageInput => "image_input",
            TokenClass::ImageOutput => "image_output",
            TokenClass::CacheWrite12h => "cache_write_12h",
            TokenClass::VideoInput => "video_input",
            TokenClass::VideoOutput => "video_output",
            TokenClass::CachedAudioInput => "cached_audio_input",
            TokenClass::CachedImageInput => "cached_image_input",
            TokenClass::ExplicitCachedInput => "explicit_cached_input",
        }
    }

    /// True for the classes that make up the prompt (what context-length tiers look at).
    pub fn is_prompt(self) -> bool {
        matches!(
            self,
            TokenClass::Input
                | TokenClass::CachedInput
                | TokenClass::CacheWrite5m
                | TokenClass::CacheWrite1h
                | TokenClass::CacheWrite12h
                | TokenClass::AudioInput
                | TokenClass::ImageInput
                | TokenClass::VideoInput
                | TokenClass::CachedAudioInput
                | TokenClass::CachedImageInput
                | TokenClass::ExplicitCachedInput
        )
    }
}

impl fmt::Display for TokenClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for TokenClass {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        TokenClass::ALL.into_iter().find(|c| c.name() == s).ok_or_else(|| Error::InvalidArgument {
            name: "token_class",
            reason: format!("unknown token class {s:?} (one of {})", TokenClass::ALL.map(TokenClass::name).join(", ")),
        })
    }
}

/// Quantities consumed by one request (or summed over many). Token classes are
/// disjoint; `requests`, `images` and `seconds` are per-unit quantities.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // each field is the TokenClass of the same name
pub struct Usage {
    pub input: u64,
    pub cached_input: u64,
    pub cache_write_5m: u64,
    pub cache_write_1h: u64,
    pub output: u64,
    pub reasoning: u64,
    pub audio_input: u64,
    pub audio_output: u64,
    pub image_input: u64,
    pub image_output: u64,
    pub cache_write_12h: u64,
    pub video_input: u64,
    pub video_output: u64,
    pub cached_audio_input: u64,
    pub cached_image_input: u64,
    pub explicit_cached_input: u64,
    /// Number of API requests (1 for one provider response).
    pub requests: u64,
    /// Images generated or processed, for per-image rates.
    pub images: u64,
    /// Seconds of audio or compute, for per-second rates.
    pub seconds: u64,
    /// Web-search queries (or grounded prompts) the provider ran for the request.
    pub web_search_requests: u64,
    /// Google Maps grounding queries (or grounded prompts).
    pub maps_grounding_requests: u64,
    /// Characters billed per character (text-to-speech input, older Vertex AI models).
    pub characters: u64,
    /// Document pages processed (OCR).
    pub pages: u64,
    /// Pages annotated (OCR annotations).
    pub annotation_pages: u64,
    /// Queries billed per query (rerank search units, search APIs).
    pub queries: u64,
    /// Citation tokens a search model read (Perplexity `citation_tokens`), billed only
    /// where the model prices them (`citation_cost_per_token`).
    pub citation_tokens: u64,
}

/// A count a caller gave as a signed integer (a Python `int`, a whole JS number):
/// negative, or beyond `u64`, is [`Error::InvalidUsage`] naming `field` as the caller
/// spelled it.
pub fn quantity(field: &str, value: i128) -> Result<u64> {
    u64::try_from(value).map_err(|_| Error::InvalidUsage {
        line: None,
        path: field.to_string(),
        reason: if value < 0 { format!("negative quantity {value}") } else { format!("{value} is too large") },
    })
}

/// A per-unit (not per-token) quantity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Unit {
    /// One API request.
    Request,
    /// One image.
    Image,
    /// One second.
    Second,
    /// One web-search query (or one grounded prompt, where the provider bills per prompt).
    WebSearch,
    /// One Google Maps grounding query (or grounded prompt).
    MapsGrounding,
    /// One character.
    Character,
    /// One document page (OCR).
    Page,
    /// One annotated page (OCR annotations).
    AnnotationPage,
    /// One query (rerank, search).
    Query,
    /// One citation token (Perplexity deep research).
    CitationToken,
}

impl Unit {
    /// Every unit.
    pub const ALL: [Unit; 10] = [
        Unit::Request,
        Unit::Image,
        Unit::Second,
        Unit::WebSearch,
        Unit::MapsGrounding,
        Unit::Character,
        Unit::Page,
        Unit::AnnotationPage,
        Unit::Query,
        Unit::CitationToken,
    ];

    /// The snake_case name (`request`, `image`, `second`, `web_search_request`, `page` ...).
    pub fn name(self) -> &'static str {
        match self {
            Unit::Request => "request",
            Unit::Image => "image",
            Unit::Second => "second",
            Unit::WebSearch => "web_search_request",
            Unit::MapsGrounding => "maps_grounding_request",
            Unit::Character => "character",
            Unit::Page => "page",
            Unit::AnnotationPage => "annotation_page",
            Unit::Query => "query",
            Unit::CitationToken => "citation_token",
        }
    }

    /// The name of its count in tokfare's JSON usage form (`requests`, `images`,
    /// `seconds`, `web_search_requests`, `pages`, `queries` ...).
    pub fn field(self) -> &'static str {
        match self {
            Unit::Request => "requests",
            Unit::Image => "images",
            Unit::Second => "seconds",
            Unit::WebSearch => "web_search_requests",
            Unit::MapsGrounding => "maps_grounding_requests",
            Unit::Character => "characters",
            Unit::Page => "pages",
            Unit::AnnotationPage => "annotation_pages",
            Unit::Query => "queries",
            Unit::CitationToken => "citation_tokens",
        }
    }
}

impl Usage {
    /// A usage of one request with `input` prompt and `output` completion tokens.
    pub fn tokens(input: u64, output: u64) -> Usage {
        Usage { input, output, requests: 1, ..Usage::default() }
    }

    /// The count of one class.
    pub fn get(&self, class: TokenClass) -> u64 {
        match class {
            TokenClass::Input => self.input,
            TokenClass::CachedInput => self.cached_input,
            TokenClass::CacheWrite5m => self.cache_write_5m,
            TokenClass::CacheWrite1h => self.cache_write_1h,
            TokenClass::Output => self.output,
            TokenClass::Reasoning => self.reasoning,
            TokenClass::AudioInput => self.audio_input,
            TokenClass::AudioOutput => self.audio_output,
            TokenClass::ImageInput => self.image_input,
            TokenClass::ImageOutput => self.image_output,
            TokenClass::CacheWrite12h => self.cache_write_12h,
            TokenClass::VideoInput => self.video_input,
            TokenClass::VideoOutput => self.video_output,
            TokenClass::CachedAudioInput => self.cached_audio_input,
            TokenClass::CachedImageInput => self.cached_image_input,
            TokenClass::ExplicitCachedInput => self.explicit_cached_input,
        }
    }

    /// A mutable reference to the count of one class.
    pub fn get_mut(&mut self, class: TokenClass) -> &mut u64 {
        match class {
            TokenClass::Input => &mut self.input,
            TokenClass::CachedInput => &mut self.cached_input,
            TokenClass::CacheWrite5m => &mut self.cache_write_5m,
            TokenClass::CacheWrite1h => &mut self.cache_write_1h,
            TokenClass::Output => &mut self.output,
            TokenClass::Reasoning => &mut self.reasoning,
            TokenClass::AudioInput => &mut self.audio_input,
            TokenClass::AudioOutput => &mut self.audio_output,
            TokenClass::ImageInput => &mut self.image_input,
            TokenClass::ImageOutput => &mut self.image_output,
            TokenClass::CacheWrite12h => &mut self.cache_write_12h,
            TokenClass::VideoInput => &mut self.video_input,
            TokenClass::VideoOutput => &mut self.video_output,
            TokenClass::CachedAudioInput => &mut self.cached_audio_input,
            TokenClass::CachedImageInput => &mut self.cached_image_input,
            TokenClass::ExplicitCachedInput => &mut self.explicit_cached_input,
        }
    }

    /// The quantity of a per-unit item.
    pub fn units(&self, unit: Unit) -> u64 {
        match unit {
            Unit::Request => self.requests,
            Unit::Image => self.images,
            Unit::Second => self.seconds,
            Unit::WebSearch => self.web_search_requests,
            Unit::MapsGrounding => self.maps_grounding_requests,
            Unit::Character => self.characters,
            Unit::Page => self.pages,
            Unit::AnnotationPage => self.annotation_pages,
            Unit::Query => self.queries,
            Unit::CitationToken => self.citation_tokens,
        }
    }

    fn units_mut(&mut self, unit: Unit) -> &mut u64 {
        match unit {
            Unit::Request => &mut self.requests,
            Unit::Image => &mut self.images,
            Unit::Second => &mut self.seconds,
            Unit::WebSearch => &mut self.web_search_requests,
            Unit::MapsGrounding => &mut self.maps_grounding_requests,
            Unit::Character => &mut self.characters,
            Unit::Page => &mut self.pages,
            Unit::AnnotationPage => &mut self.annotation_pages,
            Unit::Query => &mut self.queries,
            Unit::CitationToken => &mut self.citation_tokens,
        }
    }

    /// Prompt tokens of every kind: what a context window holds and what
    /// context-length tiers compare with their threshold.
    pub fn prompt_tokens(&self) -> u64 {
        TokenClass::ALL.iter().filter(|c| c.is_prompt()).map(|&c| self.get(c)).sum()
    }

    /// Generated tokens of every kind (output, reasoning, audio, image).
    pub fn completion_tokens(&self) -> u64 {
        TokenClass::ALL.iter().filter(|c| !c.is_prompt()).map(|&c| self.get(c)).sum()
    }

    /// Every billed token.
    pub fn total_tokens(&self) -> u64 {
        self.prompt_tokens() + self.completion_tokens()
    }

    /// The sum of two usages, or an overflow error (never wraps).
    pub fn checked_add(&self, other: &Usage) -> Result<Usage> {
        let mut sum = *self;
        for class in TokenClass::ALL {
            let slot = sum.get_mut(class);
            *slot = slot.checked_add(other.get(class)).ok_or_else(|| Error::Overflow(format!("{class} tokens")))?;
        }
        for unit in Unit::ALL {
            let slot = sum.units_mut(unit);
            *slot = slot.checked_add(other.units(unit)).ok_or_else(|| Error::Overflow(format!("{} count", unit.name())))?;
        }
        Ok(sum)
    }

    /// `self - other`, for undoing an addition (merging meters). `None` if any count
    /// would go negative.
    pub fn checked_sub(&self, other: &Usage) -> Option<Usage> {
        let mut diff = *self;
        for class in TokenClass::ALL {
            let slot = diff.get_mut(class);
            *slot = slot.checked_sub(other.get(class))?;
        }
        for unit in Unit::ALL {
            let slot = diff.units_mut(unit);
            *slot = slot.checked_sub(other.units(unit))?;
        }
        Some(diff)
    }

    /// The non-zero entries as `(name, count)` pairs: token classes, then units by their
    /// [`Unit::field`] names. This is also tokfare's own JSON usage form.
    pub fn entries(&self) -> Vec<(&'static str, u64)> {
        let tokens = TokenClass::ALL.iter().map(|&c| (c.name(), self.get(c)));
        let units = Unit::ALL.iter().map(|&u| (u.field(), self.units(u)));
        tokens.chain(units).filter(|&(_, n)| n > 0).collect()
    }

    /// Every count's name in tokfare's JSON form, in order: the token classes, then the
    /// units' [`Unit::field`] names (the bindings check their field lists against it).
    pub fn field_names() -> Vec<&'static str> {
        TokenClass::ALL.iter().map(|c| c.name()).chain(Unit::ALL.iter().map(|u| u.field())).collect()
    }

    /// Sets a count by its name in tokfare's JSON form (see [`Usage::entries`]).
    pub fn set_by_name(&mut self, name: &str, value: u64) -> Result<()> {
        let slot = match Unit::ALL.iter().find(|u| u.field() == name) {
            Some(&unit) => self.units_mut(unit),
            None => self.get_mut(name.parse::<TokenClass>()?),
        };
        *slot = value;
        Ok(())
    }

    /// Adds `value` to the count named `name` (as [`Usage::set_by_name`]), refusing to
    /// overflow.
    pub fn add_by_name(&mut self, name: &str, value: u64) -> Result<()> {
        let slot = match Unit::ALL.iter().find(|u| u.field() == name) {
            Some(&unit) => self.units_mut(unit),
            None => self.get_mut(name.parse::<TokenClass>()?),
        };
        *slot = slot.checked_add(value).ok_or_else(|| Error::Overflow(format!("summed {name}")))?;
        Ok(())
    }
}
