// The estimator page: reads the text, asks the worker, shows the answer. Typing never
// waits for tokenizing: each change is sent to the worker (debounced), and an answer
// for text that has since changed is dropped.
const MODELS = [
  'gpt-5', 'gpt-5-mini', 'gpt-5-nano', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'gpt-4o', 'gpt-4o-mini',
  'o3', 'o4-mini', 'o1', 'gpt-4-turbo', 'gpt-4', 'gpt-3.5-turbo',
];
const DEFAULT_MODELS = new Set(['gpt-5', 'gpt-4.1', 'gpt-4o', 'gpt-4o-mini', 'o3']);

const $ = (id) => document.getElementById(id);
const text = $('text');
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
let seq = 0;
let shown = -1;
let timer;

// A browser takes seconds to lay out a textarea holding megabytes, so a large paste or
// file is kept here, counted in full, and only its beginning is shown (read-only).
const LARGE_CHARS = 500_000;
const PREVIEW_CHARS = 20_000;
let largeText = null;

function currentText() {
  return largeText ?? text.value;
}

function setLarge(value) {
  largeText = value;
  text.value = value.slice(0, PREVIEW_CHARS);
  text.readOnly = true;
  $('large-note').hidden = false;
  $('large-size').textContent = `${(new Blob([value]).size / 1e6).toFixed(1)} MB`;
  schedule();
}

function clearLarge() {
  largeText = null;
  text.readOnly = false;
  text.value = '';
  $('large-note').hidden = true;
  text.focus();
  schedule();
}

// Model checkboxes.
for (const model of MODELS) {
  const label = document.createElement('label');
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.value = model;
  box.checked = DEFAULT_MODELS.has(model);
  box.addEventListener('change', schedule);
  label.append(box, ` ${model}`);
  $('models').append(label);
}

function selectedModels() {
  return [...$('models').querySelectorAll('input:checked')].map((b) => b.value);
}

function outputTokens() {
  const n = Number($('output-tokens').value);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

function schedule() {
  clearTimeout(timer);
  $('status').textContent = 'counting…';
  // Short texts at once; long ones after a pause in typing.
  timer = setTimeout(send, currentText().length > 100_000 ? 150 : 0);
}

function send() {
  seq += 1;
  worker.postMessage({ seq, text: currentText(), encoding: $('encoding').value, models: selectedModels(), outputTokens: outputTokens() });
}

worker.onmessage = ({ data }) => {
  if (data.seq !== seq || data.seq < shown) return; // an answer to older text
  shown = data.seq;
  if (data.error) {
    $('status').textContent = data.error;
    return;
  }
  if (data.kind === 'gtc') {
    renderGtc(data.gtc);
    keepOffline(data.gtc.map((t) => t.file).filter(Boolean));
    $('status').textContent = 'up to date';
    return;
  }
  $('count').textContent = data.count.toLocaleString('en-US');
  $('count').dataset.count = String(data.count);
  $('chars').textContent = data.chars.toLocaleString('en-US');
  $('status').textContent = 'counting the GTC tiers…';
  renderTokens(data);
  renderCosts(data.costs);
  keepOffline(data.files);
};

// Asks the service worker to keep the assets in use (vocabularies, tokenizers), as the worker names them.
const kept = new Set();
function keepOffline(files) {
  const urls = files.map((f) => new URL(`../vocab/${f}`, import.meta.url).href).filter((u) => !kept.has(u));
  const controller = navigator.serviceWorker?.controller;
  if (urls.length === 0 || !controller) return;
  urls.forEach((u) => kept.add(u));
  controller.postMessage({ type: 'cache', urls });
}
navigator.serviceWorker?.addEventListener('controllerchange', () => {
  kept.clear();
  schedule();
});

function renderTokens({ tokens, shownAll, count }) {
  const box = $('tokens');
  const spans = tokens.map(([piece, ids]) => {
    const span = document.createElement('span');
    span.textContent = piece;
    span.title = ids.length === 1 ? `id ${ids[0]}` : `ids ${ids.join(', ')} (one character split across tokens)`;
    span.dataset.id = ids.join(' ');
    return span;
  });
  box.replaceChildren(...spans);
  const shownTokens = tokens.reduce((n, [, ids]) => n + ids.length, 0);
  $('tokens-note').textContent = shownAll ? '' : `The first ${shownTokens.toLocaleString('en-US')} of ${count.toLocaleString('en-US')} tokens are shown.`;
}

function cell(row, value, className) {
  const td = document.createElement('td');
  if (value instanceof Node) td.append(value);
  else td.textContent = value;
  if (className) td.className = className;
  row.append(td);
  return td;
}

function money(amounts) {
  // Exact decimal strings: summed as scaled BigInts, never as floats.
  if (amounts.length === 0) return '0';
  const scale = Math.max(...amounts.map((a) => (a.split('.')[1] ?? '').length));
  const total = amounts.reduce((acc, a) => acc + BigInt(a.replace('.', '') + '0'.repeat(scale - (a.split('.')[1] ?? '').length)), 0n);
  const s = total.toString().padStart(scale + 1, '0');
  return scale ? `${s.slice(0, -scale)}.${s.slice(-scale)}`.replace(/\.?0+$/, '') : s;
}

function fillBar(tokens, window) {
  const wrap = document.createElement('span');
  if (!window) return document.createTextNode('—');
  const share = tokens / window;
  const bar = document.createElement('span');
  bar.className = share > 1 ? 'fill over' : 'fill';
  bar.setAttribute('role', 'meter');
  bar.setAttribute('aria-valuemin', '0');
  bar.setAttribute('aria-valuemax', String(window));
  bar.setAttribute('aria-valuenow', String(tokens));
  const inner = document.createElement('i');
  inner.style.width = `${Math.min(100, share * 100)}%`;
  bar.append(inner);
  wrap.append(bar, `${(share * 100).toFixed(share < 0.01 ? 2 : 1)}% of ${window.toLocaleString('en-US')}`);
  return wrap;
}

function renderCosts(costs) {
  const body = $('costs').querySelector('tbody');
  body.replaceChildren(...costs.map((c) => {
    const row = document.createElement('tr');
    row.dataset.model = c.model;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = c.model;
    row.append(th);
    if (c.error) {
      cell(row, c.error);
      return row;
    }
    cell(row, money(c.input), 'num');
    cell(row, money(c.output), 'num');
    cell(row, c.total, 'num total');
    cell(row, fillBar(c.inputTokens, c.contextWindow));
    cell(row, c.effectiveDate ?? '—');
    return row;
  }));
}

function renderGtc(tiers) {
  const body = $('gtc').querySelector('tbody');
  body.replaceChildren(...tiers.map((t) => {
    const row = document.createElement('tr');
    row.dataset.tier = t.name;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = t.name[0].toUpperCase() + t.name.slice(1);
    row.append(th);
    cell(row, t.pricePerMillion, 'num');
    cell(row, t.tokens.toLocaleString('en-US'), 'num tier-tokens').dataset.count = String(t.tokens);
    cell(row, t.countedWith === 'qwen3' ? "Qwen 3 (the tier model's)" : `${t.countedWith} (chosen above)`, 'counted-with');
    cell(row, t.cost, 'num total');
    return row;
  }));
}

// Files dropped on the text box are read as UTF-8 text.
text.addEventListener('dragover', (e) => {
  e.preventDefault();
  text.classList.add('drop');
});
text.addEventListener('dragleave', () => text.classList.remove('drop'));
text.addEventListener('drop', async (e) => {
  e.preventDefault();
  text.classList.remove('drop');
  const file = e.dataTransfer?.files?.[0];
  if (file) {
    const content = await file.text();
    if (content.length >= LARGE_CHARS) {
      setLarge(content);
    } else {
      largeText = null;
      text.value = content;
      schedule();
    }
  }
});
text.addEventListener('paste', (e) => {
  const pasted = e.clipboardData?.getData('text/plain') ?? '';
  const result = text.value.slice(0, text.selectionStart) + pasted + text.value.slice(text.selectionEnd);
  if (largeText === null && result.length >= LARGE_CHARS) {
    e.preventDefault();
    setLarge(result);
  }
});
$('large-clear').addEventListener('click', clearLarge);
text.addEventListener('input', schedule);
$('encoding').addEventListener('change', schedule);
$('output-tokens').addEventListener('input', schedule);
$('show-ids').addEventListener('change', (e) => $('tokens').classList.toggle('ids', e.target.checked));
schedule();

// Works offline once loaded (see sw.js); service workers need a secure context
// (https, or 127.0.0.1 / localhost).
if ('serviceWorker' in navigator && window.isSecureContext) {
  navigator.serviceWorker.register('./sw.js').catch((e) => console.warn('offline support unavailable:', e));
}
