// The web page for people triaging crashes: paste a dump, search known bugs, read a bug's
// page, look at a stored dump, promote unknown bugs. One HTML shell for every page, one
// stylesheet and one script served from this origin (CSP: nothing inline, nothing remote);
// the script renders each page from the API with text nodes, never HTML.
import { CRASH_KINDS } from '../core/types';
import { SIGNATURE_STATUSES } from '../kb/kb.types';
import { APP_JS } from './client/app-script';
import { highlightLines } from './client/highlight';
import { parseMarkdown } from './client/markdown';

/** The paths that serve the shell (the script picks the page from location.pathname). */
export const PAGE_PATHS = ['/', 'search', 'buckets', 'login', 'signatures/:id', 'dumps/:id'];

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>crashkb</title>
<link rel="stylesheet" href="/ui.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
  <nav id="nav" aria-label="Main">
    <a class="brand" href="/">crashkb</a>
    <ul>
      <li><a href="/">Paste a dump</a></li>
      <li><a href="/search">Search</a></li>
      <li><a href="/buckets">Unknown bugs</a></li>
      <li><a href="/docs">API docs</a></li>
    </ul>
  </nav>
  <div id="who" aria-live="polite"></div>
</header>
<main id="main" tabindex="-1"><p>Loading…</p></main>
<script src="/ui.js"></script>
</body>
</html>
`;

export const PAGE_CSS = `
:root { --fg: #1d2430; --muted: #5b6474; --line: #d9dee7; --accent: #0b57d0; --ok: #1f883d; --warn: #9a6700; --bad: #b42318; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1180px; padding: 0 16px 48px; color: var(--fg); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 16px; top: 8px; background: #fff; padding: 4px 8px; z-index: 2; }
header { border-bottom: 1px solid var(--line); padding: 10px 0; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; justify-content: space-between; }
header nav { display: flex; gap: 20px; align-items: baseline; flex-wrap: wrap; }
header nav ul { list-style: none; margin: 0; padding: 0; display: flex; gap: 16px; flex-wrap: wrap; }
header nav a[aria-current=page] { font-weight: 600; text-decoration-thickness: 3px; }
.brand { font-weight: 700; font-size: 20px; color: var(--fg); text-decoration: none; }
#who { color: var(--muted); }
h1 { font-size: 24px; margin: 18px 0 10px; }
h2 { font-size: 19px; margin: 22px 0 8px; }
h3 { font-size: 16px; margin: 14px 0 6px; }
h4 { font-size: 14px; margin: 10px 0 4px; }
label { display: block; font-weight: 600; margin: 6px 0 4px; }
textarea, input, select { font: 13px/1.35 ui-monospace, monospace; padding: 6px 8px; border: 1px solid #98a2b3; border-radius: 4px; }
textarea { width: 100%; }
button { padding: 6px 16px; font-size: 14px; border-radius: 4px; border: 1px solid #1849a9; background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
button.link { background: none; border: none; color: var(--accent); text-decoration: underline; padding: 0; }
.actions { display: flex; gap: 8px; margin-top: 8px; }
form#search-form { display: flex; gap: 12px; flex-wrap: wrap; align-items: flex-end; }
.field.wide { flex: 1 1 320px; } .field.wide input { width: 100%; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; margin: 10px 0; }
.verdict-match { border-left: 6px solid var(--ok); }
.verdict-similar { border-left: 6px solid var(--warn); }
.muted { color: var(--muted); }
.error { color: var(--bad); }
.notice { background: #ecfdf3; border: 1px solid #abefc6; padding: 6px 10px; border-radius: 4px; }
code, .mono, pre { font-family: ui-monospace, monospace; font-size: 13px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 6px 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; font-family: ui-monospace, monospace; font-size: 13px; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 8px 0; width: 100%; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { text-align: left; padding: 4px 10px 4px 0; border-bottom: 1px solid #eef1f5; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 20px; }
ul.explain { list-style: none; padding: 0; }
.ind .conclusion { background: #fff8e6; padding: 4px 8px; border-radius: 4px; }
.fixes li { margin: 4px 0; } .fixes .desc { color: var(--muted); font-size: 14px; }
ul.evidence { padding-left: 18px; }
.frames .unreliable { color: var(--muted); }
pre.dump { max-height: 560px; overflow: auto; border: 1px solid var(--line); border-radius: 6px; padding: 8px 0; background: #fbfcfd; line-height: 1.35; }
pre.dump .row { display: block; padding: 0 10px; white-space: pre; }
pre.dump .ln { color: #98a2b3; user-select: none; }
pre.dump .out { color: #98a2b3; }
pre.dump mark.hl { background: #ffe58f; color: #000; }
pre.code { background: #f6f8fa; padding: 8px 10px; overflow: auto; border-radius: 4px; }
.md blockquote { border-left: 3px solid var(--line); margin: 6px 0; padding-left: 10px; color: var(--muted); }
svg.chart { width: 100%; max-width: 760px; height: auto; }
svg.chart .bar { fill: #3b82f6; } svg.chart .axis { stroke: #98a2b3; } svg.chart .tick { font: 11px system-ui, sans-serif; fill: var(--muted); }
figure { margin: 8px 0; }
nav.choices a { margin-right: 10px; } nav.choices a.on { font-weight: 700; color: var(--fg); }
form.inline { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin: 8px 0; } form.inline label { display: inline; margin: 0; }
#note-form textarea { margin-bottom: 4px; }
.promote-form { display: flex; gap: 6px; flex-wrap: wrap; align-items: flex-end; }
.promote-form label { width: 100%; }
.promote-form input { min-width: 280px; }
@media (max-width: 720px) { .two { grid-template-columns: 1fr; } }
`;

/**
 * The script: the pure helpers from their TypeScript (the unit tests run the same code), the
 * enums the filters offer from the server's own lists, then the page code.
 */
export const PAGE_JS = [
  `'use strict';`,
  `const parseMarkdown = (${parseMarkdown.toString()});`,
  `const highlightLines = (${highlightLines.toString()});`,
  `const KINDS = ${JSON.stringify(CRASH_KINDS)};`,
  `const STATUSES = ${JSON.stringify(SIGNATURE_STATUSES)};`,
  APP_JS,
].join('\n');
