// The small web page for people: search known issues, paste a dump to see what it is.
// Plain HTML and one script served from this origin (CSP: nothing inline, nothing remote);
// every value from the API is rendered with textContent, never as HTML.

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>crashkb</title>
<link rel="stylesheet" href="/ui.css">
</head>
<body>
<header>
  <h1>crashkb</h1>
  <p>Known crash signatures: search them, or paste a dump to see whether it is a known bug.</p>
  <label>API key <input id="key" type="password" autocomplete="off" placeholder="Bearer key with the read scope"></label>
  <a href="/docs">API docs</a>
</header>
<main>
  <section>
    <h2>Is this a known bug?</h2>
    <form id="match-form">
      <textarea id="dump" rows="14" spellcheck="false" placeholder="Paste a kernel oops, KASAN report, crash session, ASan/TSan/UBSan report, gdb bt..."></textarea>
      <button id="match-button" type="submit">Match</button>
    </form>
    <div id="match-result" aria-live="polite"></div>
  </section>
  <section>
    <h2>Search known issues</h2>
    <form id="search-form">
      <input id="q" type="search" placeholder="function, module, slab cache, words: dma_pool_alloc, ext4, use after free">
      <button type="submit">Search</button>
    </form>
    <div id="search-result" aria-live="polite"></div>
    <div id="signature"></div>
  </section>
</main>
<script src="/ui.js"></script>
</body>
</html>
`;

export const PAGE_CSS = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 0 16px 40px; color: #1d2430; }
header { border-bottom: 1px solid #d9dee7; padding: 12px 0; display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; }
header h1 { margin: 0; font-size: 22px; }
header p { margin: 0; color: #566; flex: 1 1 300px; }
textarea, input[type=search] { width: 100%; box-sizing: border-box; font: 13px/1.35 ui-monospace, monospace; padding: 8px; }
button { margin-top: 8px; padding: 6px 16px; font-size: 14px; }
.card { border: 1px solid #d9dee7; border-radius: 6px; padding: 10px 12px; margin: 10px 0; }
.verdict-match { border-left: 5px solid #1f883d; }
.verdict-similar { border-left: 5px solid #bf8700; }
.muted { color: #667; }
.error { color: #b42318; }
code, .mono { font-family: ui-monospace, monospace; font-size: 13px; }
table { border-collapse: collapse; } td { padding: 2px 8px 2px 0; vertical-align: top; }
li { margin: 2px 0; }
a.sig { cursor: pointer; color: #0b57d0; text-decoration: underline; }
`;

export const PAGE_JS = `'use strict';
const $ = (id) => document.getElementById(id);
const keyInput = $('key');
keyInput.value = sessionStorage.getItem('crashkb-key') || '';
keyInput.addEventListener('change', () => sessionStorage.setItem('crashkb-key', keyInput.value.trim()));

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

async function api(path, init) {
  const headers = Object.assign({ authorization: 'Bearer ' + keyInput.value.trim() }, (init && init.headers) || {});
  const res = await fetch(path, Object.assign({}, init, { headers }));
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error((body && (body.detail || body.title)) || 'HTTP ' + res.status);
  return body;
}

function fixesList(fixes) {
  const ul = el('ul');
  for (const f of fixes || []) {
    const li = el('li');
    li.append(el('strong', f.kind + ' '), el('code', f.ref));
    if (f.description) li.append(el('span', ' ' + f.description));
    if (f.fixedIn) li.append(el('span', ' (fixed in ' + f.fixedIn + ')', 'muted'));
    if (f.url && /^https?:\\/\\//.test(f.url)) {
      const a = el('a', ' link');
      a.href = f.url;
      a.rel = 'noopener noreferrer';
      li.append(a);
    }
    ul.append(li);
  }
  return ul;
}

function showParsed(out, parsed) {
  const card = el('div', null, 'card');
  card.append(el('div', parsed.title || 'no crash recognised in this text', 'mono'));
  const t = el('table');
  const row = (k, v) => { if (v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length)) return; const tr = el('tr'); tr.append(el('td', k, 'muted'), el('td', Array.isArray(v) ? v.join(', ') : v, 'mono')); t.append(tr); };
  row('kind', parsed.kind);
  row('state', parsed.state);
  row('poison', (parsed.indicators.poisonValues || []).map((p) => p.name + ' ' + p.value + ' at ' + p.where));
  row('slab cache', parsed.indicators.slabCaches);
  row('object size', parsed.indicators.objectSizes);
  const env = parsed.environment || {};
  row('kernel', env.kernelVersion);
  row('arch', env.arch);
  row('reports', parsed.reports && parsed.reports.length > 1 ? parsed.reports.map((r) => r.title).join(' | ') : null);
  card.append(t);
  out.append(card);
}

function showMatches(out, matches) {
  if (!matches.length) { out.append(el('p', 'No known bug matches this dump.', 'muted')); return; }
  for (const m of matches) {
    const card = el('div', null, 'card verdict-' + m.verdict);
    const head = el('div');
    head.append(el('strong', m.verdict === 'match' ? 'Known bug: ' : 'Similar: '), el('span', m.title), el('span', '  score ' + m.score.toFixed(2), 'muted'));
    card.append(head);
    card.append(fixesList(m.fixes));
    for (const n of (m.notes || []).slice(0, 3)) card.append(el('p', n.length > 600 ? n.slice(0, 600) + '...' : n, 'muted'));
    const ev = el('ul');
    for (const e of m.evidence || []) ev.append(el('li', (e.weight >= 0 ? '+' : '') + e.weight.toFixed(2) + ' ' + e.feature + ': ' + e.detail, 'mono'));
    card.append(ev);
    out.append(card);
  }
}

$('match-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const out = $('match-result');
  out.replaceChildren(el('p', 'Matching...', 'muted'));
  try {
    const r = await api('/api/v1/match', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: $('dump').value });
    out.replaceChildren();
    showParsed(out, r.parsed);
    showMatches(out, r.matches);
  } catch (err) {
    out.replaceChildren(el('p', err.message, 'error'));
  }
});

async function openSignature(id) {
  const box = $('signature');
  try {
    const s = await api('/api/v1/signatures/' + encodeURIComponent(id));
    const card = el('div', null, 'card');
    card.append(el('h3', s.title), el('div', s.kind + ' · ' + s.status + (s.seen && s.seen.count ? ' · seen ' + s.seen.count + ' times' : ''), 'muted'));
    if (s.summary) card.append(el('p', s.summary));
    card.append(el('h4', 'Fixes'), fixesList(s.fixes), el('h4', 'Notes'));
    for (const n of s.notes || []) card.append(el('pre', n.body, 'mono'));
    box.replaceChildren(card);
  } catch (err) {
    box.replaceChildren(el('p', err.message, 'error'));
  }
}

$('search-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const out = $('search-result');
  out.replaceChildren(el('p', 'Searching...', 'muted'));
  try {
    const r = await api('/api/v1/signatures?limit=20&q=' + encodeURIComponent($('q').value));
    out.replaceChildren(el('p', r.total + ' found', 'muted'));
    const ul = el('ul');
    for (const s of r.items) {
      const li = el('li');
      const a = el('a', s.title, 'sig');
      a.addEventListener('click', () => openSignature(s.id));
      li.append(a, el('span', '  ' + s.kind + ' · ' + s.status + ' · ' + (s.fixes || []).length + ' fixes', 'muted'));
      ul.append(li);
    }
    out.append(ul);
  } catch (err) {
    out.replaceChildren(el('p', err.message, 'error'));
  }
});
`;
