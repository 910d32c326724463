// The JavaScript shared by tokfare's Node package (bundled to lib/shared.cjs by its
// build) and its browser package (copied to js/shared/ by its build): errors, argument
// checks, `Usage` and the synchronous tokenizer API (`EncodingBase`, `TokenizerBase`).
// Each package adds its engine adapter and its own loading.
export * from './errors.js';
export * from './checks.js';
export * from './usage.js';
export * from './tokenizers.js';
