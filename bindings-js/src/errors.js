// tokfare's errors, shared by the Node package and the browser package: one Error
// subclass per stable code of the core (`tokfare::ERROR_CODES`; both packages' tests
// check this list against the one their native module reports). The native module
// throws plain errors whose `code` is `TOKFARE_<CODE>`; `fromEngine` gives them their class.

/** Base class of every error tokfare throws. `code` is stable; match on it or on the class. */
export class TokfareError extends Error {
  constructor(message, code) {
    super(message);
    this.name = new.target.name;
    this.code = code ?? new.target.code;
  }
}
TokfareError.code = 'TOKFARE_ERROR';

// [class name, code, parent] in the core's order (the tokenizer's codes, then the pricing crate's).
const KINDS = [
  ['UnknownEncodingError', 'TOKFARE_UNKNOWN_ENCODING'],
  ['EncodingNotBuiltError', 'TOKFARE_ENCODING_NOT_BUILT'],
  ['FeatureNotBuiltError', 'TOKFARE_FEATURE_NOT_BUILT'],
  ['UnknownModelError', 'TOKFARE_UNKNOWN_MODEL'],
  ['DisallowedSpecialTokenError', 'TOKFARE_DISALLOWED_SPECIAL_TOKEN'],
  ['UnknownTokenIdError', 'TOKFARE_UNKNOWN_TOKEN_ID'],
  ['NotASingleTokenError', 'TOKFARE_NOT_A_SINGLE_TOKEN'],
  ['InvalidUtf8Error', 'TOKFARE_INVALID_UTF8'],
  ['InvalidInputUtf8Error', 'TOKFARE_INVALID_INPUT_UTF8'],
  ['InvalidRankFileError', 'TOKFARE_INVALID_RANK_FILE'],
  ['InvalidVocabularyError', 'TOKFARE_INVALID_VOCABULARY'],
  ['InvalidTokenizerFileError', 'TOKFARE_INVALID_TOKENIZER_FILE'],
  ['UnsupportedTokenizerError', 'TOKFARE_UNSUPPORTED_TOKENIZER'],
  ['TokenizerFileNeededError', 'TOKFARE_TOKENIZER_FILE_NEEDED'],
  ['InvalidPatternError', 'TOKFARE_INVALID_PATTERN'],
  ['PatternRuntimeError', 'TOKFARE_PATTERN_RUNTIME'],
  ['InvalidArgumentError', 'TOKFARE_INVALID_ARGUMENT'],
  ['InvalidMoneyError', 'TOKFARE_INVALID_MONEY'],
  ['InvalidScheduleError', 'TOKFARE_INVALID_SCHEDULE'],
  ['InvalidCatalogError', 'TOKFARE_INVALID_CATALOG'],
  ['InvalidUsageError', 'TOKFARE_INVALID_USAGE'],
  ['UnknownModelPriceError', 'TOKFARE_UNKNOWN_MODEL_PRICE', 'UnknownModelError'],
  ['UnsupportedPriceError', 'TOKFARE_UNSUPPORTED_PRICE'],
  ['CatalogUpdateError', 'TOKFARE_CATALOG_UPDATE'],
  ['ConflictingEventError', 'TOKFARE_CONFLICTING_EVENT'],
  ['JournalError', 'TOKFARE_JOURNAL'],
  ['StoreError', 'TOKFARE_STORE'],
  ['OverflowError', 'TOKFARE_OVERFLOW'],
];

/** Every error class by name (`TokfareError` and one subclass per code). */
export const classes = { TokfareError };
const byCode = new Map();
for (const [name, code, parent] of KINDS) {
  const Base = parent ? classes[parent] : TokfareError;
  // A named class expression, so stack traces and `error.name` show the real name.
  const cls = { [name]: class extends Base {} }[name];
  cls.code = code;
  classes[name] = cls;
  byCode.set(code, cls);
}

// napi-rs's own argument-conversion failures (a number where a string belongs, ...).
const ARGUMENT_CODES = new Set([
  'InvalidArg', 'ObjectExpected', 'StringExpected', 'NameExpected', 'FunctionExpected',
  'NumberExpected', 'BooleanExpected', 'ArrayExpected', 'BigintExpected', 'DateExpected',
  'ArrayBufferExpected', 'DetachableArraybufferExpected',
]);

/**
 * The tokfare error for an error thrown by the native module (the Node addon or the
 * WebAssembly engine); other errors are returned as they are. The native module's
 * fields (`path`, `line`, `suggestions` ...) are kept as properties.
 */
export function fromEngine(error) {
  if (error === null || typeof error !== 'object' || error instanceof TokfareError) return error;
  // The native module's `code` is `TOKFARE_<CODE>`, then a newline and the error's fields
  // as a JSON object when it has any (`tokfare::Error::fields_json`).
  const raw = typeof error.code === 'string' ? error.code : '';
  const cut = raw.indexOf('\n');
  const code = cut < 0 ? raw : raw.slice(0, cut);
  const cls = byCode.get(code);
  if (cls) return Object.assign(new cls(error.message, code), cut < 0 ? {} : fields(raw.slice(cut + 1)));
  if (ARGUMENT_CODES.has(code)) return new classes.InvalidArgumentError(error.message, 'TOKFARE_INVALID_ARGUMENT');
  return error;
}

// The error's fields (`line`, `field`, `model`, `suggestions` ...), never `code` or `message`.
function fields(json) {
  try {
    const { code, message, name, ...rest } = JSON.parse(json);
    return rest;
  } catch {
    return {};
  }
}

/** An InvalidArgumentError naming the argument. */
export function invalidArgument(name, reason) {
  return new classes.InvalidArgumentError(`invalid argument ${name}: ${reason}`);
}
