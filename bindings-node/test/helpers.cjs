'use strict';
// Shared by the tests: where the repository, the shared corpus and the oracle's corpus
// ids are, and the conformance vectors.
const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');

const ROOT = path.resolve(__dirname, '..', '..');
const SHARED = process.env.TOKFARE_SHARED ?? path.join(ROOT, '..', 'shared');
const ORACLE = process.env.TOKFARE_ORACLE_DIR ?? path.join(os.homedir(), '.cache', 'tokfare-oracle');

/** The lines of a conformance vector file (conformance/NAME), parsed. */
function vectors(name) {
  return fs
    .readFileSync(path.join(ROOT, 'conformance', name), 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line));
}

module.exports = { ROOT, SHARED, ORACLE, vectors };
