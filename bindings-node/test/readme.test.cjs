'use strict';
// The README's Node example is code that runs: its asserts are the test.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { ROOT } = require('./helpers.cjs');

test("the README's Node example runs as written", () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Node\n'));
  const match = section.match(/```js\n([\s\S]*?)```/);
  assert.ok(match, 'no js block in the README Node section');
  // Inside the package, so `import ... from 'tokfare'` resolves to this package.
  const file = path.join(__dirname, '.readme-example.mjs');
  fs.writeFileSync(file, match[1]);
  try {
    execFileSync(process.execPath, [file], { stdio: 'pipe' });
  } finally {
    fs.rmSync(file, { force: true });
  }
});
