// The README's example is code that runs: any error it raises (an unknown name, a
// vocabulary that does not load, pricing before ready()) fails this test.
import test from 'node:test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

test("the README's example runs as written", () => {
  const readme = fs.readFileSync(path.join(here, '..', 'README.md'), 'utf8');
  const match = readme.match(/```js\n([\s\S]*?)```/);
  if (!match) throw new Error('no js block in bindings-wasm/README.md');
  // Inside the package, so `import ... from 'tokfare-wasm'` resolves to this package.
  const file = path.join(here, '.readme-example.mjs');
  fs.writeFileSync(file, match[1]);
  try {
    execFileSync(process.execPath, [file], { stdio: 'pipe' });
  } finally {
    fs.rmSync(file, { force: true });
  }
});
