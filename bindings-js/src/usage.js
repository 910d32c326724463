// `Usage`, shared by the Node and browser packages: quantities one request consumed, in
// tokfare's disjoint classes. Parsing provider objects and adding usages are the core's
// work, reached through the engine each package installs with `setUsageEngine`.
import { classes, invalidArgument } from './errors.js';
import { describe } from './checks.js';

/** Usage field -> tokfare's own name (docs/usage-normalisation.md), in the core's order. */
export const USAGE_FIELDS = Object.freeze({
  inputTokens: 'input', cachedInputTokens: 'cached_input', cacheWriteTokens: 'cache_write_5m', cacheWrite1hTokens: 'cache_write_1h',
  outputTokens: 'output', reasoningTokens: 'reasoning', audioInputTokens: 'audio_input', audioOutputTokens: 'audio_output',
  imageInputTokens: 'image_input', imageOutputTokens: 'image_output', cacheWrite12hTokens: 'cache_write_12h', videoInputTokens: 'video_input', videoOutputTokens: 'video_output',
  cachedAudioInputTokens: 'cached_audio_input', cachedImageInputTokens: 'cached_image_input',
  explicitCachedInputTokens: 'explicit_cached_input', requests: 'requests', images: 'images',
  seconds: 'seconds', webSearchRequests: 'web_search_requests', mapsGroundingRequests: 'maps_grounding_requests', characters: 'characters',
  pages: 'pages', annotationPages: 'annotation_pages', queries: 'queries', citationTokens: 'citation_tokens',
});
const FROM_OWN = Object.fromEntries(Object.entries(USAGE_FIELDS).map(([k, v]) => [v, k]));

let engine = null;

/**
 * Installs the package's engine: `parse(jsonText, provider)` and `add(a, b)`, each
 * returning tokfare's own form (`{ input, cached_input, ... }`).
 */
export function setUsageEngine(e) {
  engine = e;
}

/**
 * Quantities one request consumed, in disjoint classes (input excludes cached input,
 * output excludes reasoning, ...; see docs/usage-normalisation.md). Build one from a
 * provider's usage object with `Usage.fromOpenAI`, `fromAnthropic`, `fromGemini`, or
 * from counts: `new Usage({ inputTokens: 1200, outputTokens: 300 })`.
 */
export class Usage {
  constructor(counts = {}) {
    if (counts === null || typeof counts !== 'object') throw invalidArgument('counts', `expected an object of token counts, got ${describe(counts)}`);
    for (const key of Object.keys(counts)) {
      if (!(key in USAGE_FIELDS)) {
        throw new classes.InvalidUsageError(
          `unknown usage field ${JSON.stringify(key)} (known: ${Object.keys(USAGE_FIELDS).join(', ')}); for a provider's usage object use Usage.fromOpenAI, fromAnthropic or fromGemini`,
        );
      }
    }
    for (const field of Object.keys(USAGE_FIELDS)) {
      const value = counts[field] ?? (field === 'requests' ? 1 : 0);
      if (!Number.isSafeInteger(value) || value < 0) throw new classes.InvalidUsageError(`${field}: expected a non-negative integer, got ${describe(value)}`);
      this[field] = value;
    }
    Object.freeze(this);
  }

  /** From an OpenAI Chat Completions `usage` object (cached tokens are inside `prompt_tokens`). */
  static fromOpenAI(usage) {
    return parseUsage(usage, 'openai_chat');
  }

  /** From an OpenAI Responses API `usage` object. */
  static fromOpenAIResponses(usage) {
    return parseUsage(usage, 'openai_responses');
  }

  /** From an Anthropic Messages `usage` object (cache reads and writes are outside `input_tokens`). */
  static fromAnthropic(usage) {
    return parseUsage(usage, 'anthropic');
  }

  /** From a Gemini `usageMetadata` object. */
  static fromGemini(usage) {
    return parseUsage(usage, 'gemini');
  }

  /** From any of the above, recognised by its fields. */
  static fromProvider(usage) {
    return parseUsage(usage, undefined);
  }

  /** The sum of two usages (an OverflowError past 2^64 - 1 in any class). */
  add(other) {
    return fromOwn(engine.add(usageOf(this).toJSON(), usageOf(other).toJSON()));
  }

  /** tokfare's own form (what the core prices): the non-zero classes, and `requests`. */
  toJSON() {
    const own = {};
    for (const [field, name] of Object.entries(USAGE_FIELDS)) if (this[field] !== 0 || field === 'requests') own[name] = this[field];
    return own;
  }
}

/** A Usage from tokfare's own form (absent classes are 0, `requests` too). */
export function fromOwn(own) {
  const counts = { requests: 0 };
  for (const [name, value] of Object.entries(own)) counts[FROM_OWN[name]] = value;
  return new Usage(counts);
}

/** A Usage, or a plain object of the same fields, as a Usage. */
export function usageOf(usage) {
  return usage instanceof Usage ? usage : new Usage(usage);
}

function parseUsage(usage, provider) {
  if (usage === null || typeof usage !== 'object' || Array.isArray(usage)) {
    throw new classes.InvalidUsageError(`a usage object is a plain object, not ${describe(usage)}`);
  }
  return fromOwn(engine.parse(JSON.stringify(usage), provider));
}
