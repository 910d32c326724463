//! Counting the prompt tokens of a request body, in the formats users send, for every
//! model the catalog prices: exact where the model's tokenizer is public, otherwise an
//! approximation that says so and states its expected error band.
//!
//! Three steps, one module each:
//!
//! 1. [`formats`] reads a request body as its provider documents it — OpenAI Chat
//!    Completions and Responses, Anthropic Messages, Gemini `generateContent`, the Vercel
//!    AI SDK's messages and tools — into one shape, [`Request`] (messages of parts, tool
//!    definitions with their JSON-schema properties). A part or field the reader does
//!    not know is an `invalid_argument` error naming its JSON path, never skipped.
//! 2. [`profile`] is the one rule that says how a model is counted ([`Profile::for_model`]):
//!    its tokenizer (an OpenAI encoding, a tokenizer.json family, or Anthropic's legacy
//!    `claude` encoding), the method, and whether the result is exact.
//! 3. [`method`] counts a [`Request`] by the profile's method: OpenAI's cookbook
//!    overheads ([`tokfare_tokenizer::chat`]), or a calibrated formula (per-message,
//!    per-tool and per-property overheads and a content multiplier, fitted to the
//!    providers' reported `input_tokens`), or the content alone.
//!
//! ```
//! use tokfare::request::{count_request, RequestFormat};
//! let body = r#"{"model": "claude-sonnet-4-5", "max_tokens": 100,
//!                "messages": [{"role": "user", "content": "Hello, Claude"}]}"#;
//! let n = count_request("claude-sonnet-4-5", RequestFormat::AnthropicMessages, body)?;
//! assert!(!n.exact);
//! assert_eq!(n.tokenizer, "claude");
//! assert!(n.band.is_some());
//! # Ok::<(), tokfare::Error>(())
//! ```

pub mod formats;
mod json;
pub mod method;
pub mod profile;

pub use profile::{Band, Method, Profile};

use crate::Result;
use std::fmt;
use std::str::FromStr;
use tokfare_tokenizer::Error as TokError;

/// A request body's format (its provider's API).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestFormat {
    /// OpenAI Chat Completions: `messages` (`role`, `content`, `name`, `tool_calls`,
    /// `tool_call_id`) and `tools` (`{"type": "function", "function": {...}}`).
    OpenAiChat,
    /// OpenAI Responses: `instructions`, `input` (a string or items: messages,
    /// `function_call`, `function_call_output`) and `tools` (`{"type": "function", "name", ...}`).
    OpenAiResponses,
    /// Anthropic Messages: `system`, `messages` of content blocks (`text`, `image`,
    /// `document`, `tool_use`, `tool_result`, `thinking`) and `tools` (`input_schema`).
    AnthropicMessages,
    /// Gemini `generateContent`: `systemInstruction`, `contents` of `parts` (`text`,
    /// `inlineData`, `fileData`, `functionCall`, `functionResponse`) and `tools`
    /// (`functionDeclarations`); camelCase or snake_case keys.
    GeminiGenerateContent,
    /// The Vercel AI SDK's `ModelMessage`s (`text`, `image`, `file`, `tool-call`,
    /// `tool-result` parts) and tools (`{name: {description, inputSchema}}`, the input
    /// schema as JSON Schema).
    AiSdk,
}

impl RequestFormat {
    /// Every format, by its name.
    pub const ALL: [(&'static str, RequestFormat); 5] = [
        ("openai-chat", RequestFormat::OpenAiChat),
        ("openai-responses", RequestFormat::OpenAiResponses),
        ("anthropic-messages", RequestFormat::AnthropicMessages),
        ("gemini", RequestFormat::GeminiGenerateContent),
        ("ai-sdk", RequestFormat::AiSdk),
    ];

    /// The format's name (`openai-chat`, `anthropic-messages` ...), as [`FromStr`] reads it.
    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(_, f)| *f == self).map(|(n, _)| *n).unwrap_or("?")
    }
}

impl fmt::Display for RequestFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for RequestFormat {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<RequestFormat> {
        Self::ALL.iter().find(|(n, _)| *n == s).map(|(_, f)| *f).ok_or_else(|| {
            let known: Vec<&str> = Self::ALL.iter().map(|(n, _)| *n).collect();
            TokError::InvalidArgument { name: "format", reason: format!("unknown request format {s:?} (known: {})", known.join(", ")) }
                .into()
        })
    }
}

/// A request, whatever its format: the messages (a system prompt is a message with role
/// `system`) and the tool definitions, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Request {
    /// The messages, system prompt first when there is one.
    pub messages: Vec<Message>,
    /// The tools (functions) the model may call.
    pub tools: Vec<Tool>,
    /// Fields of the body that cost input tokens tokfare does not count (`response_format`,
    /// `previous_response_id`, reasoning items ...), by JSON path: a count of a request
    /// with any is approximate and its note names them.
    pub uncounted: Vec<String>,
}

/// One message: a role and its parts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Message {
    /// `system`, `user`, `assistant` or `tool` (each format's roles mapped to these:
    /// Gemini's `model` is `assistant`, OpenAI's `developer` is `system`).
    pub role: String,
    /// An OpenAI participant `name`.
    pub name: Option<String>,
    /// The content, in order.
    pub parts: Vec<Part>,
}

/// One part of a message's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Text.
    Text(String),
    /// A call of a tool by the model: its name and its input as compact JSON
    /// (`JSON.stringify`'s form), or the arguments text as sent (OpenAI).
    ToolCall {
        /// The call's id, when the format has one.
        id: Option<String>,
        /// The tool's name.
        name: String,
        /// The input: compact JSON, or the arguments text an OpenAI request carries.
        input: Option<String>,
    },
    /// The result of a tool call: the id it answers and its output (text, or compact JSON).
    ToolResult {
        /// The id of the call it answers (for Gemini, the function's name: its responses'
        /// `id` is optional and the name is what the calibration counted).
        id: Option<String>,
        /// The output: text, or compact JSON of a structured output.
        output: Option<String>,
    },
    /// An image: counted by a flat placeholder figure (its pixels are not decoded), so a
    /// count with images is approximate without a band.
    Image,
    /// A document or file (a PDF, audio ...): a flat placeholder figure, as [`Part::Image`].
    File,
}

/// A tool (function) definition.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tool {
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// The properties of its input (an object schema), in order.
    pub properties: Vec<Property>,
}

/// One property of a JSON schema object, with what counting needs of its schema.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Property {
    /// Its key.
    pub name: String,
    /// Its JSON-schema `type`, lower case (`string`, `object`, `array` ...; empty if none).
    pub kind: String,
    /// Its description.
    pub description: Option<String>,
    /// Its `enum` values, as text.
    pub enum_values: Option<Vec<String>>,
    /// An object's properties.
    pub properties: Vec<Property>,
    /// An array's item schema.
    pub items: Option<Box<Property>>,
}

/// How many input tokens a request (or a text) costs on a model, and how sure that is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestCount {
    /// The tokens.
    pub tokens: u64,
    /// True when the count is the model's own: its tokenizer, and a method that is
    /// exact for this request. False for an approximation.
    pub exact: bool,
    /// For an approximation: its expected error band, when public recorded figures back
    /// one; `None` when nothing calibrates it (then the count is a rough guide only).
    pub band: Option<Band>,
    /// The tokenizer that counted (`o200k_base`, `claude`, `qwen3` ...).
    pub tokenizer: String,
    /// The profile that decided how to count ([`Profile::name`]).
    pub profile: &'static str,
    /// Why the count is approximate, in words (empty when exact).
    pub note: String,
}

/// Reads `body` in `format` ([`formats::parse`]) and counts it for `model`
/// ([`Profile::for_model`], [`method::count`]).
pub fn count_request(model: &str, format: RequestFormat, body: &str) -> Result<RequestCount> {
    let request = formats::parse(format, body)?;
    Profile::for_model(model).count_request(&request)
}

/// The tokens of `text` sent as content to `model`: the model's tokenizer, or its
/// profile's approximation (the content multiplier of a calibrated profile), saying which.
pub fn count_text(model: &str, text: &str) -> Result<RequestCount> {
    Profile::for_model(model).count_text(text)
}
