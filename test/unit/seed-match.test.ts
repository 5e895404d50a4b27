// The seed knowledge base must be matchable: every seed signature recognises its own
// example dump, and the four founding dumps (re-created independently as parser fixtures)
// match their seed signature with verdict "match" while no other signature claims them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { MatchIndex } from '../../src/core/match';
import { parseDump } from '../../src/core/parse';
import { readSeed } from '../../src/kb/seed.loader';
import { FIXTURES_DIR, SEED_DIR } from '../support/paths';

const seedDir = join(SEED_DIR, 'signatures');
const { signatures, skipped } = readSeed(seedDir);
const index = new MatchIndex();
for (const s of signatures) {
  index.upsert({
    id: s.key,
    title: s.title,
    matcher: s.matcher,
    fixes: s.fixes,
    notes: s.notes.map((n) => (typeof n === 'string' ? n : (n as { body: string }).body)),
  });
}

const FOUNDING: Record<string, string> = {
  'spdk-nvmf-rdma-heap-use-after-free.txt': 'spdk-nvmf-rdma-qpair-last-wqe-uaf',
  'nanomq-tls-heap-use-after-free.txt': 'nanomq-tls-heap-use-after-free',
  'mlx5-dma-pool-uaf-crash-session.txt': 'linux-mlx5-dma-pool-uaf-on-reboot',
  'ext4-inode-double-free-arm64-dmesg.txt': 'linux-ext4-inode-double-free-arm64',
};

describe('seed knowledge base', () => {
  test('every seed folder is readable, and there are at least 44 signatures each with a sourced fix', () => {
    assert.deepEqual(skipped, []);
    assert.ok(signatures.length >= 44, `${signatures.length} seed signatures`);
    for (const s of signatures) {
      // A fix or workaround names itself (ref); where its facts were checked is in `sources`.
      const raw = JSON.parse(readFileSync(join(seedDir, s.key, 'signature.json'), 'utf8')) as {
        sources?: string[];
      };
      assert.ok(s.fixes.length > 0 && s.fixes.every((f) => f.ref), `${s.key}: every fix has a ref`);
      assert.ok(
        (raw.sources ?? []).some((u) => u.trim().length > 10),
        `${s.key}: says where its facts were checked`,
      );
      assert.ok(
        s.fixes.some(
          (f) =>
            f.url ||
            /^[0-9a-f]{12,40}$/.test(f.ref) ||
            /^CVE-\d+-\d+$/.test(f.ref) ||
            f.kind === 'workaround',
        ),
        `${s.key}: a fix with a url, a commit id, a CVE, or a workaround`,
      );
    }
  });

  for (const s of signatures) {
    test(`seed ${s.key}: its example dump matches it first, with verdict match`, () => {
      const text = readFileSync(join(seedDir, s.key, 'example.txt'), 'utf8');
      const matches = index.match(parseDump(text), text);
      assert.ok(matches.length > 0, 'no match at all');
      assert.equal(
        matches[0].signatureId,
        s.key,
        `best match was ${matches[0].signatureId} (${matches[0].score})`,
      );
      assert.equal(matches[0].verdict, 'match', JSON.stringify(matches[0].evidence));
    });
  }

  for (const [fixture, key] of Object.entries(FOUNDING)) {
    test(`founding dump ${fixture} is ${key} and nothing else`, () => {
      const text = readFileSync(join(FIXTURES_DIR, 'seeds', fixture), 'utf8');
      const matches = index.match(parseDump(text), text);
      const confident = matches.filter((m) => m.verdict === 'match');
      assert.deepEqual(
        confident.map((m) => m.signatureId),
        [key],
      );
    });
  }
});
