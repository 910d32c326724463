// tokfare's errors, the same classes and codes as the Node package: one Error subclass
// per stable code of the core. The WASM engine throws plain errors whose `code` is
// `TOKFARE_<CODE>`; `fromEngine` gives them their class.

/** Base class of every error tokfare throws. `code` is stable; match on it or on the class. */
export class TokfareError extends Error {
  constructor(message, code) {
    super(message);
    this.name = new.target.name;
    this.code = code ?? new.target.code;
  }
}
TokfareError.code = 'TOKFARE_ERROR';

// [class name, code, parent] in the core's order (tokfare::Error).
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
  ['ConflictingEventError', 'TOKFARE_CONFLICTING_EVENT'],
  ['JournalError', 'TOKFARE_JOURNAL'],
  ['OverflowError', 'TOKFARE_OVERFLOW'],
];

export const classes = { TokfareError };
const byCode = new Map();
for (const [name, code, parent] of KINDS) {
  const Base = parent ? classes[parent] : TokfareError;
  const cls = { [name]: class extends Base {} }[name];
  cls.code = code;
  classes[name] = cls;
  byCode.set(code, cls);
}

/** The tokfare error for an error thrown by the engine (other errors are returned as they are). */
export function fromEngine(error) {
  if (error === null || typeof error !== 'object' || error instanceof TokfareError) return error;
  const cls = byCode.get(error.code);
  return cls ? new cls(error.message, error.code) : error;
}

/** An InvalidArgumentError naming the argument. */
export function invalidArgument(name, reason) {
  return new classes.InvalidArgumentError(`invalid argument ${name}: ${reason}`);
}
