// The matcher over real dump text: the golden fixtures and seed examples, parsed by the real
// parser. Skipped (with a note) while src/core/parse does not exist yet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import type { ParsedDump } from '../../src/core/types';
import { MatchIndex, type IndexedSignature } from '../../src/core/match';
import { deriveMatcher } from '../../src/core/signature';
import { FIXTURES_DIR, REPO_ROOT, SEED_DIR } from '../support/paths';
import { mutateText, randomRecurrence, realBugKey, rng } from '../../bench/match-corpus';

type Parse = (text: string) => ParsedDump;

function loadParser(): Parse | null {
  const path = join(REPO_ROOT, 'dist', 'src', 'core', 'parse', 'index.js');
  if (!existsSync(path)) return null;
  const mod = createRequire(__filename)(path) as { parseDump?: Parse };
  return mod.parseDump ?? null;
}

function dumpFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.txt') && (dir.startsWith(FIXTURES_DIR) || name === 'example.txt')) out.push(p);
    }
  };
  walk(FIXTURES_DIR);
  walk(join(SEED_DIR, 'signatures'));
  return out;
}

const parse = loadParser();
const skip = parse ? false : 'src/core/parse not built yet';

interface Bug {
  file: string;
  text: string;
  parsed: ParsedDump;
}

function bugs(): Map<string, Bug> {
  const byTitle = new Map<string, Bug>();
  for (const file of dumpFiles()) {
    const text = readFileSync(file, 'utf8');
    const parsed = parse!(text);
    if (!parsed.title || parsed.kind === 'unknown' || parsed.frames.length === 0) continue;
    // One bug = one crash site and kind family (the same ext4 double free is in the fixtures
    // as a slub_debug report and as a NULL dereference).
    const key = realBugKey(parsed);
    if (!byTitle.has(key)) byTitle.set(key, { file, text, parsed });
  }
  return byTitle;
}

/** Every bug a dump holds, one per report: claiming any of them is right. */
function keysOf(parsed: ParsedDump): Set<string> {
  const reports = parsed.reports?.length ? parsed.reports : [parsed];
  return new Set(reports.filter((r) => r.kind !== 'unknown' && r.frames.length > 0).map(realBugKey));
}

function indexOf(all: Map<string, Bug>): MatchIndex {
  const idx = new MatchIndex();
  for (const [title, b] of all) {
    const sig: IndexedSignature = {
      id: title,
      title,
      matcher: deriveMatcher(b.parsed),
      fixes: [],
      notes: [],
    };
    idx.upsert(sig);
  }
  return idx;
}

test('every real dump matches the signature derived from it, and no other', { skip }, () => {
  const all = bugs();
  assert.ok(all.size >= 4, `only ${all.size} parsable dumps`);
  const idx = indexOf(all);
  for (const [title, b] of all) {
    const m = idx.match(b.parsed, b.text);
    const where = relative(REPO_ROOT, b.file);
    assert.equal(m[0]?.signatureId, title, where);
    // A report without usable frames gives a title- and kind-only matcher: it finds its own
    // report, says how little that weighs, and never claims it.
    const titleOnly = deriveMatcher(b.parsed).frames.length === 0;
    assert.equal(m[0].verdict, titleOnly ? 'similar' : 'match', where);
    if (titleOnly)
      assert.ok(
        m[0].evidence.some((e) => /headline only|title-only/.test(e.detail + e.feature)),
        where,
      );
    const own = keysOf(b.parsed);
    const others = m.filter((x) => !own.has(x.signatureId) && x.verdict === 'match');
    assert.deepEqual(
      others.map((x) => x.signatureId),
      [],
      `${where} also claims ${others.map((o) => `${o.signatureId} (${o.score})`).join(', ')}`,
    );
  }
});

test(
  'recurrences of real dumps (addresses, offsets, pids, prefixes, `?` frames, truncation, noise) still match',
  { skip },
  () => {
    const all = bugs();
    const idx = indexOf(all);
    const r = rng(42);
    let total = 0;
    let matched = 0;
    const misses: string[] = [];
    for (const [title, b] of all) {
      for (let v = 0; v < 4; v++) {
        const variant = randomRecurrence(b.text, r);
        const vp = parse!(variant.text);
        const own = keysOf(vp);
        const m = idx.match(vp, variant.text);
        total++;
        if (m[0]?.signatureId === title && m[0].verdict === 'match') matched++;
        else
          misses.push(
            `${relative(REPO_ROOT, b.file)} [${variant.mutations.join(',')}] → ${m[0]?.signatureId ?? 'nothing'} ${m[0]?.score ?? ''}`,
          );
        const wrong = m.find(
          (x) => x.signatureId !== title && !own.has(x.signatureId) && x.verdict === 'match',
        );
        assert.equal(wrong, undefined, `${relative(REPO_ROOT, b.file)} variant claims ${wrong?.signatureId}`);
      }
    }
    assert.ok(matched / total >= 0.95, `recall ${matched}/${total}:\n${misses.join('\n')}`);
  },
);

test('a dump held out of the index is not claimed by any other signature', { skip }, () => {
  const all = bugs();
  for (const [title, b] of all) {
    const rest = new Map(all);
    rest.delete(title);
    const idx = indexOf(rest);
    const own = keysOf(b.parsed);
    const claimed = idx
      .match(b.parsed, b.text)
      .filter((x) => x.verdict === 'match' && !own.has(x.signatureId));
    assert.deepEqual(
      claimed.map((x) => x.signatureId),
      [],
      `${relative(REPO_ROOT, b.file)} (unknown) claimed by ${claimed.map((x) => x.signatureId).join(', ')}`,
    );
  }
});

test('the text generator keeps a dump parsable the same way (sanity of the bench)', { skip }, () => {
  const [first] = bugs().values();
  const text = mutateText(first.text, ['addresses', 'offsets', 'timestamps', 'pids'], rng(1));
  assert.notEqual(text, first.text);
  assert.equal(parse!(text).title, first.parsed.title);
});
