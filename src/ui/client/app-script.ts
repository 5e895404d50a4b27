// The page's own script (everything but the pure helpers, which page.ts prepends from their
// tested TypeScript). Plain browser JavaScript kept as a string: no build step, one file served
// from this origin under a CSP that allows nothing inline. Values from the API only ever become
// text nodes or checked attributes (h() below); links outside this origin must be http(s).
// Written without template literals so it can live inside String.raw.
export const APP_JS = String.raw`
// ---- small DOM helpers: every value from the API becomes a text node, never markup ----
const main = document.getElementById('main');
let session = null;

function h(tag, props, ...kids) {
  const e = document.createElement(tag);
  if (props) {
    for (const k of Object.keys(props)) {
      const v = props[k];
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid === undefined || kid === null || kid === false) continue;
    e.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return e;
}
const safeUrl = (u) => (typeof u === 'string' && /^https?:\/\/[^\s]+$/i.test(u) ? u : null);
function extLink(url, ...kids) {
  const u = safeUrl(url);
  if (!kids.length) kids = [url || ''];
  return u ? h('a', { href: u, rel: 'noopener noreferrer' }, kids) : h('span', null, kids);
}
const when = (iso) => (iso ? String(iso).slice(0, 16).replace('T', ' ') + ' UTC' : '—');
const path = (...parts) => '/' + parts.map((p) => encodeURIComponent(p)).join('/');
const can = (scope) => !!session && (session.scopes.includes('admin') || session.scopes.includes(scope));
const here = () => location.pathname + location.search;
const loginHref = () => '/login?next=' + encodeURIComponent(here());

async function api(url, opts) {
  opts = opts || {};
  const method = opts.method || 'GET';
  const headers = { accept: 'application/json' };
  let body = opts.body;
  if (typeof body === 'string') headers['content-type'] = 'text/plain';
  else if (body !== undefined) {
    body = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  // Changes made with the session cookie carry its CSRF token (the server refuses them otherwise).
  if (method !== 'GET' && session) headers['x-csrf-token'] = session.csrfToken;
  const res = await fetch(url, { method, headers, body, credentials: 'same-origin' });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    const err = new Error((data && (data.detail || data.title)) || 'HTTP ' + res.status);
    err.status = res.status;
    throw err;
  }
  return data;
}

function problem(err) {
  return h(
    'div',
    { class: 'error', role: 'alert' },
    h('p', null, err.message),
    err.status === 401 ? h('p', null, h('a', { href: loginHref() }, 'Log in again')) : null,
  );
}

function page(title, ...kids) {
  document.title = title + ' · crashkb';
  main.replaceChildren(h('h1', { id: 'page-title' }, title), ...kids.flat(Infinity).filter((k) => k));
}

function section(id, title, ...kids) {
  return h('section', { id, 'aria-labelledby': id + '-h' }, h('h2', { id: id + '-h' }, title), kids);
}

function facts(rows) {
  const dl = h('dl', { class: 'facts' });
  for (const [k, v] of rows) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length)) continue;
    dl.append(h('dt', null, k), h('dd', null, Array.isArray(v) ? v.join(', ') : v));
  }
  return dl;
}

function table(caption, heads, rows, cls) {
  return h(
    'table',
    { class: cls || null },
    h('caption', null, caption),
    h('thead', null, h('tr', null, heads.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', null, rows),
  );
}

// ---- markdown notes: parseMarkdown returns data; this turns it into elements ----
function markdown(text, base) {
  const inl = (list) =>
    list.map((x) =>
      x.t === 'text'
        ? x.v
        : x.t === 'code'
          ? h('code', null, x.v)
          : x.t === 'strong'
            ? h('strong', null, inl(x.c))
            : x.t === 'em'
              ? h('em', null, inl(x.c))
              : extLink(x.href, inl(x.c)),
    );
  const out = h('div', { class: 'md' });
  for (const b of parseMarkdown(text || '')) {
    if (b.t === 'h') out.append(h('h' + Math.min(6, b.level + base), null, inl(b.c)));
    else if (b.t === 'p') out.append(h('p', null, inl(b.c)));
    else if (b.t === 'pre') out.append(h('pre', { class: 'code', tabindex: '0' }, b.v));
    else if (b.t === 'ul' || b.t === 'ol') out.append(h(b.t, null, b.items.map((it) => h('li', null, inl(it)))));
    else if (b.t === 'quote') out.append(h('blockquote', null, inl(b.c)));
  }
  return out;
}

// ---- pieces shared by the paste, dump and signature pages ----
function fixesList(fixes) {
  if (!fixes || !fixes.length) return h('p', { class: 'muted' }, 'No fix recorded yet.');
  return h(
    'ul',
    { class: 'fixes' },
    fixes.map((f) =>
      h(
        'li',
        null,
        h('strong', null, f.kind + ' '),
        f.url ? extLink(f.url, h('code', null, f.ref)) : h('code', null, f.ref),
        f.fixedIn ? h('span', { class: 'muted' }, ' (fixed in ' + f.fixedIn + ')') : null,
        f.description ? h('div', { class: 'desc' }, f.description) : null,
      ),
    ),
  );
}

function evidenceList(evidence) {
  return h(
    'ul',
    { class: 'evidence' },
    (evidence || []).map((e) =>
      h('li', { class: 'mono' }, (e.weight >= 0 ? '+' : '') + e.weight.toFixed(2) + ' ' + e.feature + ': ' + e.detail),
    ),
  );
}

function matchCard(m) {
  const notes = m.notes || [];
  return h(
    'article',
    { class: 'card verdict-' + m.verdict },
    h(
      'h3',
      null,
      m.verdict === 'match' ? 'Known bug: ' : 'Similar: ',
      h('a', { href: path('signatures', m.signatureId), class: 'sig' }, m.title),
      h('span', { class: 'muted' }, '  score ' + m.score.toFixed(2)),
    ),
    h('h4', null, 'Fixes'),
    fixesList(m.fixes),
    h('h4', null, 'Evidence'),
    evidenceList(m.evidence),
    notes.length
      ? h('details', null, h('summary', null, 'Notes (' + notes.length + ')'), notes.map((n) => markdown(n, 3)))
      : null,
  );
}

function summaryCard(parsed) {
  const ind = parsed.indicators || {};
  const env = parsed.environment || {};
  return h(
    'section',
    { class: 'card summary', 'aria-labelledby': 'summary-h' },
    h('h2', { id: 'summary-h', class: 'mono' }, parsed.title || 'No crash recognised in this text'),
    facts([
      ['kind', parsed.kind],
      ['access', parsed.access ? parsed.access.op + (parsed.access.size ? ' of ' + parsed.access.size + ' bytes' : '') : null],
      ['crash state', parsed.state],
      ['poison', (ind.poisonValues || []).map((p) => p.name + ' ' + p.value + ' at ' + p.where)],
      ['slab cache', ind.slabCaches],
      ['object size', ind.objectSizes],
      ['kernel', env.kernelVersion],
      ['arch', env.arch],
      ['task', env.comm ? env.comm + (env.pid != null ? ' (pid ' + env.pid + ')' : '') : null],
      ['taint', env.taint],
      ['reports in the text', parsed.reports && parsed.reports.length > 1 ? String(parsed.reports.length) : null],
    ]),
  );
}

function explanations(items) {
  if (!items.length) return h('p', { class: 'muted' }, 'No poison values, shadow bytes or slab caches in this dump.');
  return h(
    'ul',
    { class: 'explain' },
    items.map((it) =>
      h(
        'li',
        { class: 'card ind ind-' + it.kind },
        h('p', null, h('strong', { class: 'mono' }, it.label), it.where ? ' at ' + it.where : null),
        h('p', null, it.meaning),
        it.details.length ? h('ul', null, it.details.map((d) => h('li', null, d))) : null,
        it.conclusion ? h('p', { class: 'conclusion' }, h('strong', null, 'So: '), it.conclusion) : null,
        it.source ? h('p', { class: 'muted' }, 'Defined in ' + it.source) : null,
      ),
    ),
  );
}

function frameList(frames, guilty) {
  return h(
    'ol',
    { class: 'frames mono', start: 0 },
    (frames || []).map((f, i) =>
      h(
        'li',
        { class: f.reliable === false ? 'unreliable' : null },
        (f.reliable === false ? '? ' : '') + f.function,
        f.module ? ' [' + f.module + ']' : '',
        f.file ? h('span', { class: 'muted' }, ' ' + f.file + (f.line ? ':' + f.line : '')) : null,
        f.context && f.context !== 'task' ? h('span', { class: 'muted' }, ' <' + f.context + '>') : null,
        i === guilty ? h('strong', null, '  ← guilty frame') : null,
      ),
    ),
  );
}

function parsedView(parsed) {
  const env = parsed.environment || {};
  return section(
    'parsed',
    'Parsed',
    facts([
      ['format', parsed.format],
      ['headline', parsed.headline],
      ['fingerprint', parsed.fingerprint],
      ['hardware', env.hardware],
      ['modules', (env.modules || []).slice(0, 40)],
      ['parser notes', parsed.notes],
    ]),
    h('h3', null, 'Crashing stack (innermost first)'),
    (parsed.frames || []).length ? frameList(parsed.frames, parsed.guiltyFrame) : h('p', { class: 'muted' }, 'No frames.'),
    parsed.freeStack && parsed.freeStack.length ? [h('h3', null, 'Freed by'), frameList(parsed.freeStack)] : null,
    parsed.allocStack && parsed.allocStack.length ? [h('h3', null, 'Allocated by'), frameList(parsed.allocStack)] : null,
    parsed.reports && parsed.reports.length > 1
      ? [
          h('h3', null, 'Every report in the text'),
          h(
            'ol',
            { start: 0 },
            parsed.reports.map((r) =>
              h(
                'li',
                null,
                h('span', { class: 'mono' }, r.title || r.kind),
                r.span ? ' (lines ' + (r.span.startLine + 1) + '–' + r.span.endLine + ')' : '',
                r.secondaryOf !== null && r.secondaryOf !== undefined ? ' — caused by report ' + r.secondaryOf : '',
              ),
            ),
          ),
        ]
      : null,
  );
}

function rawView(content, parsed, matches) {
  const best = matches.find((m) => m.verdict === 'match') || matches[0];
  const hl = highlightLines(content, parsed, best ? best.reportIndex : null);
  const why = new Map(hl.marks.map((m) => [m.line, m.reasons]));
  const from = Math.max(0, hl.span.startLine - 20);
  const to = Math.min(hl.lines.length, Math.max(hl.span.endLine + 20, from + 1), from + 3000);
  const pre = h('pre', { class: 'dump', tabindex: '0', 'aria-label': 'dump text, lines ' + (from + 1) + ' to ' + to });
  for (let i = from; i < to; i++) {
    const reasons = why.get(i);
    const inSpan = i >= hl.span.startLine && i < hl.span.endLine;
    const num = h('span', { class: 'ln', 'aria-hidden': 'true' }, String(i + 1).padStart(5, ' ') + '  ');
    const text = reasons
      ? h('mark', { class: 'hl', title: reasons.join('; ') }, hl.lines[i])
      : h('span', { class: inSpan ? 'in' : 'out' }, hl.lines[i]);
    pre.append(h('span', { id: 'L' + (i + 1), class: 'row' }, num, text));
  }
  return section(
    'raw',
    'The dump, with the lines the verdict rests on',
    h(
      'p',
      { class: 'muted' },
      hl.marks.length +
        ' marked lines; the report is lines ' +
        (hl.span.startLine + 1) +
        '–' +
        hl.span.endLine +
        (to - from < hl.lines.length ? ' (showing ' + (from + 1) + '–' + to + ' of ' + hl.lines.length + ')' : '') +
        '.',
    ),
    h(
      'details',
      null,
      h('summary', null, 'Why each line is marked'),
      h(
        'ul',
        { class: 'marks' },
        hl.marks.map((m) => h('li', null, h('a', { href: '#L' + (m.line + 1) }, 'line ' + (m.line + 1)), ': ' + m.reasons.join('; '))),
      ),
    ),
    pre,
  );
}

async function renderAnalysis(out, content, parsed, matches) {
  const ind = section('indicators', 'What the indicators say', h('p', { class: 'muted' }, 'Looking them up…'));
  out.append(
    summaryCard(parsed),
    section(
      'matches',
      'Matches',
      matches.length ? matches.map(matchCard) : h('p', { class: 'muted' }, 'No known bug matches this dump.'),
    ),
    ind,
    rawView(content, parsed, matches),
    parsedView(parsed),
  );
  try {
    const r = await api('/api/v1/indicators/explain', {
      method: 'POST',
      body: { indicators: parsed.indicators, format: parsed.format },
    });
    ind.lastChild.replaceWith(explanations(r.items));
  } catch (e) {
    ind.lastChild.replaceWith(problem(e));
  }
}

// ---- pages ----
function safeNext(n) {
  return n && /^\/(?![\/\\])/.test(n) && !n.startsWith('/login') ? n : '/';
}

function loginPage() {
  const params = new URLSearchParams(location.search);
  const next = safeNext(params.get('next'));
  const err = h('div', { id: 'login-error' });
  const key = h('input', {
    id: 'key',
    name: 'key',
    type: 'password',
    autocomplete: 'off',
    required: true,
    'aria-describedby': 'key-help',
  });
  const form = h(
    'form',
    { id: 'login-form' },
    h('label', { for: 'key' }, 'API key'),
    key,
    h(
      'p',
      { id: 'key-help', class: 'muted' },
      'The key is exchanged for a session cookie the page cannot read; the key itself is not kept in the browser.',
    ),
    h('button', { type: 'submit', id: 'login-button' }, 'Log in'),
    err,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.replaceChildren();
    try {
      await api('/api/v1/session', { method: 'POST', body: { key: key.value } });
      location.assign(next);
    } catch (e) {
      err.replaceChildren(problem(e));
      key.focus();
    }
  });
  page(
    'Log in',
    params.get('out') ? h('p', { class: 'notice', role: 'status' }, 'You are logged out.') : null,
    session ? h('p', null, 'You are signed in as ' + session.name + '; log in with another key below.') : null,
    form,
  );
  key.focus();
}

function needLogin() {
  page(
    'Log in to use crashkb',
    h('p', null, 'The pages read the knowledge base with your API key. ', h('a', { href: loginHref(), id: 'login-first' }, 'Log in'), ' first.'),
  );
}

function pastePage() {
  const dump = h('textarea', {
    id: 'dump',
    name: 'dump',
    rows: 14,
    spellcheck: 'false',
    'aria-describedby': 'dump-help',
  });
  // A short status is announced; the long result is not read out as it appears.
  const status = h('p', { id: 'match-status', role: 'status', class: 'muted' });
  const out = h('div', { id: 'match-result' });
  const store = can('submit') ? h('button', { type: 'button', id: 'store-button', class: 'secondary' }, 'Store it') : null;
  const form = h(
    'form',
    { id: 'match-form' },
    h('label', { for: 'dump' }, 'Dump text'),
    h(
      'p',
      { id: 'dump-help', class: 'muted' },
      'A kernel oops, KASAN report, crash session, ASan/TSan/UBSan report, gdb bt… Match stores nothing; Store it keeps the dump and files unknown ones with the unknown bugs.',
    ),
    dump,
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'match-button' }, 'Match'), store),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.textContent = 'Matching…';
    out.replaceChildren();
    try {
      const r = await api('/api/v1/match', { method: 'POST', body: dump.value });
      const best = r.matches[0];
      status.textContent = best
        ? (best.verdict === 'match' ? 'Known bug: ' : 'Similar to: ') + best.title
        : r.parsed.title
          ? 'No known bug matches ' + r.parsed.title
          : 'No crash recognised in this text';
      await renderAnalysis(out, dump.value, r.parsed, r.matches);
    } catch (e) {
      status.textContent = '';
      out.replaceChildren(problem(e));
    }
  });
  if (store) {
    store.addEventListener('click', async () => {
      try {
        const r = await api('/api/v1/dumps', { method: 'POST', body: { content: dump.value, source: 'web' } });
        location.assign(path('dumps', r.id));
      } catch (e) {
        out.replaceChildren(problem(e));
      }
    });
  }
  page('Is this a known bug?', form, status, out);
}

async function searchPage() {
  const p = new URLSearchParams(location.search);
  const val = (k) => (p.get(k) || '').trim();
  const select = (id, label, options) =>
    h(
      'div',
      { class: 'field' },
      h('label', { for: id }, label),
      h('select', { id, name: id }, options.map(([v, t]) => h('option', { value: v, selected: v === val(id) }, t))),
    );
  const form = h(
    'form',
    { id: 'search-form', method: 'get', action: '/search', role: 'search', 'aria-label': 'Known bugs' },
    h(
      'div',
      { class: 'field wide' },
      h('label', { for: 'q' }, 'Words, function, module or slab cache'),
      h('input', { id: 'q', name: 'q', type: 'search', value: val('q'), placeholder: 'dma_pool_alloc, ext4, use after free' }),
    ),
    select('kind', 'Kind', [['', 'any kind']].concat(KINDS.map((k) => [k, k]))),
    select('status', 'Status', [['', 'any status']].concat(STATUSES.map((s) => [s, s]))),
    select('fixed', 'Fix', [
      ['', 'fixed or not'],
      ['true', 'fixed'],
      ['false', 'not fixed'],
    ]),
    h('div', { class: 'field' }, h('label', { for: 'module' }, 'Module'), h('input', { id: 'module', name: 'module', value: val('module'), placeholder: 'mlx5_core' })),
    h('div', { class: 'field' }, h('button', { type: 'submit', id: 'search-button' }, 'Search')),
  );
  const out = h('div', { id: 'search-result' });
  page('Search known bugs', form, out);
  const pageNo = Math.max(1, Number(val('page')) || 1);
  const qs = new URLSearchParams({ limit: '25', page: String(pageNo) });
  for (const k of ['q', 'kind', 'status', 'fixed', 'module']) if (val(k)) qs.set(k, val(k));
  try {
    const r = await api('/api/v1/signatures?' + qs);
    const link = (n) => {
      const x = new URLSearchParams(p);
      x.set('page', String(n));
      return '/search?' + x;
    };
    out.replaceChildren(
      table(
        r.total + (r.total === 1 ? ' known bug' : ' known bugs') + (val('q') ? ' for "' + val('q') + '"' : '') + (r.total > 25 ? ', page ' + pageNo : ''),
        ['Bug', 'Kind', 'Status', 'Fixes', 'Seen', 'Last seen'],
        r.items.map((s) =>
          h(
            'tr',
            null,
            h('td', null, h('a', { href: path('signatures', s.id), class: 'sig' }, s.title)),
            h('td', null, s.kind),
            h('td', null, s.status),
            h('td', { class: 'num' }, (s.fixes || []).length),
            h('td', { class: 'num' }, s.seen ? s.seen.count : 0),
            h('td', null, s.seen ? when(s.seen.lastSeenAt) : '—'),
          ),
        ),
        'results',
      ),
      h(
        'nav',
        { 'aria-label': 'Result pages', class: 'pages' },
        pageNo > 1 ? h('a', { href: link(pageNo - 1), rel: 'prev' }, '← previous') : null,
        ' ',
        pageNo * 25 < r.total ? h('a', { href: link(pageNo + 1), rel: 'next' }, 'next →') : null,
      ),
    );
  } catch (e) {
    out.replaceChildren(problem(e));
  }
}

function chart(hist) {
  const NS = 'http://www.w3.org/2000/svg';
  const s = (tag, attrs, ...kids) => {
    const e = document.createElementNS(NS, tag);
    for (const k of Object.keys(attrs)) e.setAttribute(k, String(attrs[k]));
    for (const c of kids) e.append(c);
    return e;
  };
  const by = new Map(hist.daily.map((d) => [d.day, d.occurrences]));
  const now = new Date();
  const series = [];
  for (let i = hist.days - 1; i >= 0; i--) {
    const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - i)).toISOString().slice(0, 10);
    series.push([day, by.get(day) || 0]);
  }
  const max = Math.max(1, ...series.map((x) => x[1]));
  const total = series.reduce((a, x) => a + x[1], 0);
  const peak = series.reduce((a, x) => (x[1] > a[1] ? x : a), series[0]);
  const label =
    total + ' occurrences in the last ' + hist.days + ' days' + (total ? ', most on ' + peak[0] + ' (' + peak[1] + ')' : '');
  const W = 720, H = 150, L = 36, B = 22, T = 8;
  const svg = s('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': label, class: 'chart', id: 'occurrence-chart' }, s('title', {}, label));
  const bw = (W - L - 4) / series.length;
  svg.append(
    s('line', { x1: L, y1: H - B, x2: W - 4, y2: H - B, class: 'axis' }),
    s('text', { x: L - 6, y: T + 8, class: 'tick', 'text-anchor': 'end' }, String(max)),
    s('text', { x: L - 6, y: H - B, class: 'tick', 'text-anchor': 'end' }, '0'),
    s('text', { x: L, y: H - 6, class: 'tick' }, series[0][0]),
    s('text', { x: W - 4, y: H - 6, class: 'tick', 'text-anchor': 'end' }, series[series.length - 1][0]),
  );
  series.forEach(([day, n], i) => {
    if (!n) return;
    const bh = Math.max(2, ((H - B - T) * n) / max);
    svg.append(s('rect', { x: L + i * bw + 0.5, y: H - B - bh, width: Math.max(1, bw - 1), height: bh, class: 'bar' }, s('title', {}, day + ': ' + n)));
  });
  return svg;
}

function noteArticle(n) {
  return h('article', { class: 'note card' }, markdown(n.body, 1), h('p', { class: 'muted' }, (n.author ? n.author + ', ' : '') + when(n.createdAt)));
}

function notesList(notes) {
  return h('div', { id: 'notes-list' }, (notes || []).length ? notes.map(noteArticle) : h('p', { class: 'muted' }, 'No notes yet.'));
}

// Edits go through the same API as bots use; the session's CSRF token rides along (api()).
function noteForm(s) {
  const body = h('textarea', { id: 'note-body', name: 'body', rows: 5, required: true, 'aria-describedby': 'note-help' });
  const msg = h('div', { id: 'note-status', role: 'status' });
  const form = h(
    'form',
    { id: 'note-form' },
    h('label', { for: 'note-body' }, 'Add a note'),
    h('p', { id: 'note-help', class: 'muted' }, 'Markdown: ## headings, code between backticks, fenced code blocks, - lists, **bold**, *emphasis*, [links](https://...).'),
    body,
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'note-button' }, 'Add note')),
    msg,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const updated = await api(path('api', 'v1', 'signatures', s.id, 'notes'), { method: 'POST', body: { body: body.value } });
      document.getElementById('notes-list').replaceWith(notesList(updated.notes));
      s.version = updated.version;
      body.value = '';
      msg.replaceChildren(h('p', { class: 'notice' }, 'Note added.'));
    } catch (e) {
      msg.replaceChildren(problem(e));
    }
  });
  return form;
}

function statusForm(s) {
  const sel = h('select', { id: 'status-select', name: 'status' }, STATUSES.filter((x) => x !== 'duplicate' || s.status === 'duplicate').map((x) => h('option', { value: x, selected: x === s.status }, x)));
  const msg = h('span', { id: 'status-msg', role: 'status' });
  const form = h('form', { id: 'status-form', class: 'inline' }, h('label', { for: 'status-select' }, 'Status'), sel, h('button', { type: 'submit', id: 'status-button', class: 'secondary' }, 'Save'), msg);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const updated = await api(path('api', 'v1', 'signatures', s.id), { method: 'PATCH', body: { status: sel.value, version: s.version } });
      s.version = updated.version;
      s.status = updated.status;
      msg.replaceChildren(' saved: ' + updated.status);
    } catch (e) {
      msg.replaceChildren(problem(e));
    }
  });
  return form;
}

async function signaturePage(id) {
  const [s, hist] = await Promise.all([api(path('api', 'v1', 'signatures', id)), api(path('api', 'v1', 'signatures', id, 'history') + '?days=90')]);
  const m = s.matcher || {};
  const tally = (caption, col, list) =>
    table(caption, [col, 'Dumps', 'Occurrences'], list.map((x) => h('tr', null, h('td', { class: 'mono' }, x.value), h('td', { class: 'num' }, x.dumps), h('td', { class: 'num' }, x.occurrences))), 'tally');
  page(
    s.title,
    h('p', { class: 'meta' }, s.kind + ' · ' + s.status + ' · ', h('code', null, s.key), s.tags && s.tags.length ? ' · ' + s.tags.join(', ') : ''),
    s.summary ? h('p', { class: 'summary-text' }, s.summary) : null,
    can('write') ? statusForm(s) : null,
    section(
      'history',
      'Seen',
      facts([
        ['occurrences', String(hist.occurrences) + ' (' + hist.dumps + (hist.dumps === 1 ? ' distinct dump)' : ' distinct dumps)')],
        ['first seen', when(hist.firstSeenAt)],
        ['last seen', when(hist.lastSeenAt)],
      ]),
      h('figure', null, chart(hist), h('figcaption', { class: 'muted' }, 'Occurrences per day (UTC), last ' + hist.days + ' days; a repeat of the same text counts on the day it was first received.')),
      h('div', { class: 'two' }, hist.hosts.length ? tally('Hosts', 'Host', hist.hosts) : h('p', { class: 'muted' }, 'No host recorded.'), hist.kernels.length ? tally('Kernels', 'Kernel', hist.kernels) : h('p', { class: 'muted' }, 'No kernel version recorded.')),
    ),
    section('fixes', 'Fixes', fixesList(s.fixes)),
    section('notes', 'Notes', notesList(s.notes), can('write') ? noteForm(s) : null),
    section(
      'references',
      'References',
      (s.references || []).length
        ? h('ul', null, s.references.map((r) => h('li', null, h('span', { class: 'muted' }, r.kind + ': '), extLink(r.url, r.title || r.url))))
        : h('p', { class: 'muted' }, 'None.'),
    ),
    section(
      'matcher',
      'What a dump must look like to match',
      facts([
        ['kind', m.kind],
        ['headline', m.headline],
        ['module', m.module],
        ['arch', m.arch],
        ['kernel', m.kernelMin || m.kernelMax ? (m.kernelMin || '…') + ' to ' + (m.kernelMax || '…') : null],
        ['slab caches', m.slabCaches],
        ['object sizes', m.objectSizes],
        ['poisons', m.poisons],
        ['freed in', m.freeFrames],
        ['patterns', (m.patterns || []).map((x) => x.pattern + (x.required ? ' (required)' : ''))],
      ]),
      h('h3', null, 'Identifying frames'),
      frameList((m.frames || []).map((f) => ({ function: f, reliable: true })), m.guiltyFrame),
    ),
    section(
      'recent',
      'Recent dumps',
      hist.recent.length
        ? table(
            hist.recent.length + ' most recent',
            ['Dump', 'Host', 'Kernel', 'First received', 'Last seen', 'Times'],
            hist.recent.map((d) =>
              h('tr', null, h('td', null, h('a', { href: path('dumps', d.id) }, d.title || d.id)), h('td', null, d.host || '—'), h('td', { class: 'mono' }, d.kernel || '—'), h('td', null, when(d.receivedAt)), h('td', null, when(d.lastSeenAt)), h('td', { class: 'num' }, d.occurrences)),
            ),
          )
        : h('p', { class: 'muted' }, 'No stored dump matched it yet.'),
    ),
  );
}

async function dumpPage(id) {
  const d = await api(path('api', 'v1', 'dumps', id));
  const out = h('div', { id: 'dump-analysis' });
  page(
    d.title || 'Unrecognised dump',
    facts([
      ['known bug', d.signatureId ? h('a', { href: path('signatures', d.signatureId) }, 'open its page') : null],
      ['status', d.signatureId ? null : h('span', null, 'no known bug matches it; dumps like it are grouped in ', h('a', { href: '/buckets' }, 'Unknown bugs'))],
      ['received', when(d.receivedAt)],
      ['last seen', when(d.lastSeenAt)],
      ['times seen', String(d.occurrences)],
      ['host', d.host],
      ['source', d.source],
    ]),
    out,
  );
  await renderAnalysis(out, d.content, d.parsed, d.matches || []);
}

function promoteControl(b, cell, live) {
  const btn = h('button', { type: 'button', class: 'promote', 'aria-label': 'Promote ' + (b.title || 'this bucket') + ' into a known bug' }, 'Promote…');
  btn.addEventListener('click', () => {
    const fid = 'title-' + b.id;
    const title = h('input', { id: fid, name: 'title', value: b.title || '', required: true, maxlength: 300 });
    const msg = h('div');
    const form = h(
      'form',
      { class: 'promote-form' },
      h('label', { for: fid }, 'Title of the new known bug'),
      title,
      h('button', { type: 'submit', class: 'promote-submit' }, 'Promote'),
      h('button', {
        type: 'button',
        class: 'secondary',
        onclick: () => {
          const again = promoteControl(b, cell, live);
          cell.replaceChildren(again);
          again.focus();
        },
      }, 'Cancel'),
      msg,
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        const r = await api(path('api', 'v1', 'buckets', b.id, 'promote'), { method: 'POST', body: { title: title.value.trim() } });
        const link = h('a', { href: path('signatures', r.signature.id), class: 'promoted' }, 'Promoted: ' + r.signature.title);
        cell.replaceChildren(link);
        live.textContent = 'Promoted "' + r.signature.title + '"; ' + r.relabelledDumps + ' dumps labelled with it.';
        link.focus();
      } catch (e) {
        msg.replaceChildren(problem(e));
      }
    });
    cell.replaceChildren(form);
    title.focus();
  });
  return btn;
}

async function bucketsPage() {
  const p = new URLSearchParams(location.search);
  const sort = p.get('sort') === 'recent' ? 'recent' : 'count';
  const status = p.get('status') === 'all' ? 'all' : 'unmatched';
  const choice = (label, href, on) => h('a', { href, 'aria-current': on ? 'true' : null, class: on ? 'on' : null }, label);
  const live = h('p', { id: 'bucket-status', role: 'status' });
  const r = await api('/api/v1/buckets?limit=100&sort=' + sort + '&status=' + status);
  page(
    status === 'all' ? 'All buckets' : 'Unknown bugs',
    h('p', { class: 'muted' }, 'Dumps that match no known bug, grouped by fingerprint. Promote a bucket to make it a known bug: its dumps and the next ones like them are labelled with it.'),
    h(
      'nav',
      { 'aria-label': 'Order and filter', class: 'choices' },
      choice('Biggest first', '/buckets?sort=count&status=' + status, sort === 'count'),
      choice('Newest first', '/buckets?sort=recent&status=' + status, sort === 'recent'),
      ' | ',
      choice('Unknown only', '/buckets?sort=' + sort + '&status=unmatched', status === 'unmatched'),
      choice('All', '/buckets?sort=' + sort + '&status=all', status === 'all'),
    ),
    live,
    r.items.length
      ? table(
          r.total + (r.total === 1 ? ' bucket' : ' buckets') + (sort === 'count' ? ', biggest first' : ', newest first'),
          ['Bug', 'Kind', 'Occurrences', 'Dumps', 'First seen', 'Last seen', 'Action'],
          r.items.map((b) => {
            const cell = h('td', { class: 'action' });
            if (b.signatureId) cell.append(h('a', { href: path('signatures', b.signatureId) }, b.promotedAt ? 'promoted' : 'known bug'));
            else if (can('write')) cell.append(promoteControl(b, cell, live));
            else cell.append(h('span', { class: 'muted' }, 'promoting needs the write scope'));
            return h(
              'tr',
              { id: 'bucket-' + b.id },
              h('td', null, b.representativeDumpId ? h('a', { href: path('dumps', b.representativeDumpId), class: 'bucket-title' }, b.title || '(no title)') : b.title || '(no title)'),
              h('td', null, b.kind),
              h('td', { class: 'num' }, b.occurrences),
              h('td', { class: 'num' }, b.dumpCount),
              h('td', null, when(b.firstSeenAt)),
              h('td', null, when(b.lastSeenAt)),
              cell,
            );
          }),
          'buckets',
        )
      : h('p', { class: 'muted' }, 'No unknown bugs: every stored dump matches a known one.'),
  );
}

function renderWho() {
  const who = document.getElementById('who');
  if (!session) {
    who.replaceChildren(h('a', { href: loginHref(), id: 'login-link' }, 'Log in'));
    return;
  }
  const out = h('button', { type: 'button', id: 'logout-button', class: 'link' }, 'Log out');
  out.addEventListener('click', async () => {
    try {
      await api('/api/v1/session', { method: 'DELETE' });
      location.assign('/login?out=1');
    } catch (e) {
      who.append(problem(e));
    }
  });
  who.replaceChildren(h('span', { id: 'who-name' }, 'Signed in as ', h('strong', null, session.name), ' (' + session.scopes.join(', ') + ')'), ' ', out);
}

const ROUTES = [
  [/^\/$/, pastePage, '/'],
  [/^\/search$/, searchPage, '/search'],
  [/^\/buckets$/, bucketsPage, '/buckets'],
  [/^\/signatures\/([0-9a-fA-F-]{36})$/, signaturePage, '/search'],
  [/^\/dumps\/([0-9a-fA-F-]{36})$/, dumpPage, null],
  [/^\/login$/, loginPage, null],
];

async function start() {
  try {
    session = await api('/api/v1/session');
  } catch (e) {
    session = null;
  }
  renderWho();
  const route = ROUTES.find((r) => r[0].test(location.pathname));
  for (const a of document.querySelectorAll('#nav a')) {
    if (route && a.getAttribute('href') === route[2]) a.setAttribute('aria-current', 'page');
  }
  if (!route) return page('Not found', h('p', null, 'No page here. ', h('a', { href: '/' }, 'Paste a dump'), ' instead.'));
  if (!session && route[1] !== loginPage) return needLogin();
  try {
    await route[1](route[0].exec(location.pathname)[1]);
  } catch (e) {
    page(e.status === 404 ? 'Not found' : 'Something went wrong', problem(e));
  }
}
start();
`;
