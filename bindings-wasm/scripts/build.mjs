// Builds the WASM package from source: the tokenizer engine and the pricing module
// (cargo, wasm32 with simd128), the JavaScript shared with the Node package
// (../bindings-js/src -> js/shared/), their
// JavaScript glue (wasm-bindgen-cli at exactly the wasm-bindgen version in Cargo.lock),
// wasm-opt (the binaryen npm package), and the vocabulary assets (crates/tokenizer/data/*.tfv, and the
// Qwen 3 tokenizer.json, zlib-compressed).
// Prints the sizes, raw and gzipped.
//
//   npm run build          (wasm-bindgen must be on PATH or in $TOKFARE_TOOLS/bin;
//                           scripts/test.sh installs it with cargo install)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const root = path.resolve(here, '..');
const targetDir = path.join(process.env.CARGO_TARGET_DIR ?? path.join(root, 'target'), 'wasm-simd128');
const run = (cmd, args, env = {}) => execFileSync(cmd, args, { stdio: 'inherit', cwd: root, env: { ...process.env, ...env } });

const lock = fs.readFileSync(path.join(root, 'Cargo.lock'), 'utf8');
const wasmBindgenVersion = lock.match(/name = "wasm-bindgen"\nversion = "([^"]+)"/)[1];
const tools = process.env.TOKFARE_TOOLS ? path.join(process.env.TOKFARE_TOOLS, 'bin') : null;
const wasmBindgen = tools && fs.existsSync(path.join(tools, 'wasm-bindgen')) ? path.join(tools, 'wasm-bindgen') : 'wasm-bindgen';
const version = execFileSync(wasmBindgen, ['--version'], { encoding: 'utf8' }).trim();
if (!version.endsWith(` ${wasmBindgenVersion}`)) {
  throw new Error(`${wasmBindgen} is "${version}", but Cargo.lock has wasm-bindgen ${wasmBindgenVersion}: cargo install wasm-bindgen-cli --version ${wasmBindgenVersion}`);
}

const pkg = path.join(here, 'pkg');
fs.rmSync(pkg, { recursive: true, force: true });
// Two modules, built apart (one cargo invocation would unify the core's features and
// compile pricing into the engine): the tokenizer engine and the pricing module.
const modules = [
  { crate: 'tokfare-wasm', artifact: 'tokfare_wasm', outName: 'tokfare_wasm' },
  { crate: 'tokfare-wasm-pricing', artifact: 'tokfare_pricing', outName: 'tokfare_pricing' },
];
for (const { crate, artifact, outName } of modules) {
  run('cargo', ['build', '--release', '-p', crate, '--target', 'wasm32-unknown-unknown'], {
    CARGO_TARGET_DIR: targetDir,
    RUSTFLAGS: '-C target-feature=+simd128',
    // The workspace keeps line tables in release for profiling; the browser does not need them.
    CARGO_PROFILE_RELEASE_DEBUG: 'false',
    CARGO_PROFILE_RELEASE_LTO: 'fat',
  });
  run(wasmBindgen, ['--target', 'web', '--out-dir', pkg, '--out-name', outName,
    path.join(targetDir, 'wasm32-unknown-unknown', 'release', `${artifact}.wasm`)]);
  const wasm = path.join(pkg, `${outName}_bg.wasm`);
  run(path.join(here, 'node_modules', '.bin', 'wasm-opt'), ['-O3', '--enable-simd', '--enable-bulk-memory', '--enable-sign-ext', '--enable-nontrapping-float-to-int', '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue', '--strip-debug', '--strip-producers', wasm, '-o', wasm]);
}

// The JavaScript shared with the Node package, as ES modules next to js/index.js.
const shared = path.join(here, 'js', 'shared');
fs.rmSync(shared, { recursive: true, force: true });
fs.mkdirSync(shared);
for (const f of fs.readdirSync(path.join(root, 'bindings-js', 'src')).filter((f) => f.endsWith('.js') || f.endsWith('.d.ts'))) {
  fs.copyFileSync(path.join(root, 'bindings-js', 'src', f), path.join(shared, f));
}

const vocab = path.join(here, 'vocab');
fs.rmSync(vocab, { recursive: true, force: true });
fs.mkdirSync(vocab);
for (const f of fs.readdirSync(path.join(root, 'crates', 'tokenizer', 'data')).filter((f) => f.endsWith('.tfv') || f.endsWith('.tokenizer.json.zz'))) {
  fs.copyFileSync(path.join(root, 'crates', 'tokenizer', 'data', f), path.join(vocab, f));
}

const size = (file) => {
  const data = fs.readFileSync(file);
  return `${(data.length / 1024).toFixed(0)} KiB raw, ${(zlib.gzipSync(data, { level: 9 }).length / 1024).toFixed(0)} KiB gzipped`;
};
for (const { outName } of modules) {
  console.log(`module  pkg/${outName}_bg.wasm: ${size(path.join(pkg, `${outName}_bg.wasm`))}`);
  console.log(`glue    pkg/${outName}.js: ${size(path.join(pkg, `${outName}.js`))}`);
}
for (const f of fs.readdirSync(vocab)) console.log(`vocab   vocab/${f}: ${size(path.join(vocab, f))}`);
