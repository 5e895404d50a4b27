// Search latency on a 10k-signature knowledge base (issue 4: "well under 50 ms").
// Boots the real service on a fresh in-memory PGlite with the seed, bulk-inserts synthetic
// signatures with SQL (the trigger maintains frames, idents and the tsvector as for any write),
// runs ANALYZE, then times SignaturesService.list — the same code the GET route runs,
// children included — for a mix of queries.
//
//   npx tsc -p tsconfig.json && node dist/bench/search.js [count] [repeats]
// Against a server instead of PGlite: DATABASE_URL=postgres://... node dist/bench/search.js
// (the bench creates a scratch database crashkb_bench_<pid> there and drops it at the end).
//
// Every relevance query is also ranked by the reference formula (the exhaustive one: every
// candidate scored with ts_rank over its whole vector plus word_similarity of the frames for
// fuzzy hits) and the bench prints how many of the first 10 agree, so a faster plan that ranks
// differently shows up here.
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory';
import { SignaturesService } from '../src/kb/signatures.service';
import { broadeningWords, queryIdentifiers, type SearchFilters } from '../src/kb/signatures.repository';

const COUNT = Number(process.argv[2] ?? 10_000);
const REPEATS = Number(process.argv[3] ?? 15);

const SUBSYSTEMS = [
  'net',
  'tcp',
  'udp',
  'ext4',
  'xfs',
  'btrfs',
  'nvme',
  'usb',
  'drm',
  'bpf',
  'mlx4',
  'ice',
  'scsi',
  'sched',
  'mm',
  'rdma',
  'nfs',
  'kvm',
  'snd',
  'hid',
];
const OBJECTS = [
  'skb',
  'inode',
  'page',
  'queue',
  'ring',
  'sock',
  'buf',
  'dev',
  'req',
  'ctx',
  'work',
  'timer',
  'node',
  'map',
  'cq',
  'port',
  'qp',
  'bio',
];
const VERBS = [
  'alloc',
  'free',
  'release',
  'get',
  'put',
  'init',
  'destroy',
  'poll',
  'submit',
  'complete',
  'xmit',
  'rcv',
  'flush',
  'reset',
  'open',
  'close',
  'read',
  'write',
  'lookup',
  'insert',
];
const KINDS = [
  'use-after-free',
  'null-deref',
  'double-free',
  'out-of-bounds',
  'general-protection-fault',
  'warning',
  'deadlock',
  'list-corruption',
  'data-race',
  'hang',
];
const HEADLINES: Record<string, string> = {
  'use-after-free': 'KASAN: slab-use-after-free Read in',
  'null-deref': 'BUG: unable to handle kernel NULL pointer dereference in',
  'double-free': 'KASAN: double-free in',
  'out-of-bounds': 'KASAN: slab-out-of-bounds Write in',
  'general-protection-fault': 'general protection fault in',
  warning: 'WARNING in',
  deadlock: 'possible deadlock in',
  'list-corruption': 'list_del corruption in',
  'data-race': 'KCSAN: data-race in',
  hang: 'INFO: task hung in',
};
const WORDS = [
  'race',
  'between',
  'teardown',
  'and',
  'the',
  'completion',
  'path',
  'when',
  'device',
  'is',
  'removed',
  'refcount',
  'dropped',
  'twice',
  'under',
  'memory',
  'pressure',
  'during',
  'suspend',
  'resume',
  'missing',
  'lock',
  'on',
  'error',
  'path',
  'hotplug',
  'firmware',
  'timeout',
];

const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ne',
  'ru',
  'sa',
  'ti',
  'vo',
  'ze',
  'pa',
  'qu',
  'xe',
  'bo',
  'di',
  'fu',
  'gy',
];
/** 4096 pseudo-words of 3 syllables, used with a skewed (Zipf-like) frequency. */
const VOCABULARY = Array.from(
  { length: 4096 },
  (_, i) => SYLLABLES[i % 16] + SYLLABLES[(i >> 4) % 16] + SYLLABLES[(i >> 8) % 16] + 'n',
);

/** Deterministic pseudo-random numbers, so every run measures the same data. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

function synth(n: number) {
  const r = rng(42);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
  const rows = [];
  for (let i = 0; i < n; i++) {
    const sub = pick(SUBSYSTEMS);
    const frames = Array.from(
      { length: 4 + Math.floor(r() * 6) },
      () => `${pick(SUBSYSTEMS)}_${pick(OBJECTS)}_${pick(VERBS)}`,
    );
    frames[0] = `${sub}_${pick(OBJECTS)}_${pick(VERBS)}`;
    const kind = pick(KINDS);
    // Real summaries share a few common words and otherwise use a large vocabulary; a summary
    // drawn from 28 words only would make every word query match every row.
    const summary = Array.from({ length: 12 + Math.floor(r() * 20) }, () =>
      r() < 0.25 ? pick(WORDS) : VOCABULARY[Math.floor(Math.pow(r(), 2) * VOCABULARY.length)],
    ).join(' ');
    rows.push({
      key: `synthetic-${i}`,
      title: `${HEADLINES[kind]} ${frames[0]}`,
      kind,
      summary,
      tags: [sub, pick(OBJECTS)],
      matcher: JSON.stringify({
        kind,
        frames,
        guiltyFrame: 0,
        module: r() < 0.3 ? `${sub}_core` : undefined,
      }),
      note: `Seen ${Math.floor(r() * 100)} times. ${summary}`,
    });
  }
  return rows;
}

async function load(ds: DataSource, n: number) {
  const rows = synth(n);
  const started = Date.now();
  for (let i = 0; i < rows.length; i += 1000) {
    const b = rows.slice(i, i + 1000);
    await ds.query(
      `INSERT INTO signatures (key, title, kind, status, summary, matcher, tags, created_by, updated_by)
       SELECT k, t, kd, 'open', s, m::jsonb, string_to_array(tg, ','), 'bench', 'bench'
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS x(k, t, kd, s, m, tg)`,
      [
        b.map((x) => x.key),
        b.map((x) => x.title),
        b.map((x) => x.kind),
        b.map((x) => x.summary),
        b.map((x) => x.matcher),
        b.map((x) => x.tags.join(',')),
      ],
    );
  }
  await ds.query(
    `INSERT INTO signature_fixes (signature_id, kind, ref, description, position)
     SELECT id, 'commit', substr(md5(key), 1, 12), 'fix for ' || title, 0 FROM signatures WHERE key LIKE 'synthetic-%'`,
  );
  await ds.query(
    `INSERT INTO signature_notes (signature_id, body, author, position)
     SELECT s.id, x.note, 'bench', 0 FROM signatures s JOIN unnest($1::text[], $2::text[]) AS x(k, note) ON x.k = s.key`,
    [rows.map((x) => x.key), rows.map((x) => x.note)],
  );
  // The same text the service keeps for search after a child changes (SignaturesRepository.touch).
  await ds.query(
    `UPDATE signatures s SET extra_text = concat_ws(' ',
       (SELECT string_agg(n.body, ' ') FROM signature_notes n WHERE n.signature_id = s.id),
       (SELECT string_agg(concat_ws(' ', f.ref, f.description), ' ') FROM signature_fixes f WHERE f.signature_id = s.id))
     WHERE s.key LIKE 'synthetic-%'`,
  );
  await ds.query(
    'ANALYZE signatures, signature_fixes, signature_notes, signature_references, signature_idents',
  );
  return Date.now() - started;
}

const QUERIES: (Partial<SearchFilters> & { label?: string })[] = [
  { q: 'dma_pool_alloc' },
  { q: 'dma_pol_alloc' },
  { q: 'mlx5' },
  { q: 'ext4_i_callback' },
  { q: 'ext4_i_calback' },
  { q: 'nvmf_rdma_qpair_process_last_wqe_event' },
  { q: 'tcp_skb_free' },
  { q: 'nvme_queue_submit' },
  { q: 'nvme_queu_submit' },
  { q: 'use after free' },
  { q: 'race between teardown and completion' },
  { q: 'refcount dropped twice under memory pressure' },
  { q: 'KASAN slab-use-after-free Read' },
  { q: 'list corruption' },
  { q: 'hotplug' },
  { q: 'xfs_inode_release', kind: 'use-after-free' },
  { q: 'kmalloc-128' },
  { label: 'list, newest first' },
  { label: 'list page 50', page: 50 },
  { label: 'filter kind+fixed', kind: 'deadlock', fixed: false },
  { label: 'filter function', function: 'dma_pool_alloc' },
  { label: 'filter tag', tag: 'bpf' },
];

function pct(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * The first 10 ids by the reference ranking: the same candidates and score terms as the
 * service, computed exhaustively for every candidate (as the search did before SearchSpeed).
 */
async function referenceTop(ds: DataSource, q: string, kind?: string): Promise<string[]> {
  const idents = queryIdentifiers(q);
  const words = broadeningWords(q);
  const anyq = words ? `to_tsquery('english', $4::text)` : `websearch_to_tsquery('english', $1)`;
  let fuzzy = !/\s/.test(q) && q.length >= 6;
  if (fuzzy) {
    const [{ hit }] = await ds.query(
      `SELECT EXISTS (SELECT 1 FROM signatures WHERE idents && $1::text[] AND deleted_at IS NULL) AS hit`,
      [idents],
    );
    fuzzy = !hit;
  }
  const fz = fuzzy
    ? `(SELECT coalesce(array_agg(ident), '{}') FROM (SELECT ident FROM signature_idents WHERE ident % lower($1)
         ORDER BY similarity(ident, lower($1)) DESC, ident LIMIT 20) v)`
    : `(SELECT '{}'::text[])`;
  const rows: { key: string }[] = await ds.query(
    `SELECT s.key FROM signatures s, websearch_to_tsquery('english', $1) andq, ${anyq} anyq, ${fz} AS fz(idents)
     WHERE s.deleted_at IS NULL AND ($3::text IS NULL OR s.kind = $3)
       AND (s.search @@ anyq OR s.idents && $2::text[] OR s.idents && fz.idents)
     ORDER BY (CASE WHEN s.idents && $2::text[] THEN 2.0 ELSE 0 END
       + CASE WHEN cardinality($2::text[]) > 1 AND s.idents @> $2::text[] THEN 1.0 ELSE 0 END
       + CASE WHEN s.guilty = ANY($2::text[]) THEN 1.0 ELSE 0 END
       + CASE WHEN s.search @@ andq THEN 1.0 ELSE 0 END
       + ts_rank(s.search, anyq)
       + CASE WHEN s.idents && fz.idents THEN word_similarity(lower($1), lower(s.frames_text)) ELSE 0 END) DESC,
       s.updated_at DESC, s.id
     LIMIT 10`,
    words ? [q, idents, kind ?? null, words] : [q, idents, kind ?? null],
  );
  return rows.map((r) => r.key);
}

/** With DATABASE_URL: a scratch database on that server, dropped at the end. */
async function scratchDatabase(): Promise<{ url: string; drop(): Promise<void> } | null> {
  const server = process.env.DATABASE_URL;
  if (!server) return null;
  const name = `crashkb_bench_${process.pid}`;
  const admin = async (sql: string) => {
    const c = new Client({ connectionString: server });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function main() {
  const scratch = await scratchDatabase();
  const svc = await createApp({
    ...process.env,
    DATABASE_URL: scratch?.url,
    CRASHKB_DATA_DIR: scratch ? undefined : 'memory://',
    CRASHKB_SEED: '1',
    LOG_LEVEL: 'warn',
  }).catch(async (err: unknown) => {
    await scratch?.drop();
    throw err;
  });
  try {
    const ds = svc.app.get(DataSource);
    await ds.query(`DELETE FROM signatures WHERE key LIKE 'synthetic-%'`);
    const loadMs = await load(ds, COUNT);
    const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM signatures WHERE deleted_at IS NULL');
    const service = svc.app.get(SignaturesService);
    console.log(
      `${n} signatures (${COUNT} synthetic + seed) loaded in ${loadMs} ms; ${REPEATS} runs per query, limit 50`,
    );
    const all: number[] = [];
    for (const q of QUERIES) {
      const { label, ...f } = q;
      const filters: SearchFilters = { limit: 50, page: 1, ...f };
      const res = await service.list(filters); // warm-up
      const times: number[] = [];
      for (let i = 0; i < REPEATS; i++) {
        const t0 = process.hrtime.bigint();
        await service.list(filters);
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      times.sort((a, b) => a - b);
      all.push(...times);
      const name = label ?? `q=${f.q}${f.kind ? ` kind=${f.kind}` : ''}`;
      let agree = '';
      if (f.q) {
        const ref = await referenceTop(ds, f.q, f.kind);
        const got = res.items.slice(0, 10).map((s) => s.key);
        const same = got.filter((k, i) => ref[i] === k).length;
        agree = `  top10 ${same}/${ref.length}${same < ref.length ? ` (set ${got.filter((k) => ref.includes(k)).length})` : ''}`;
      }
      console.log(
        `${name.padEnd(52)} p50 ${pct(times, 50).toFixed(1).padStart(6)} ms  p99 ${pct(times, 99).toFixed(1).padStart(6)} ms  total ${String(res.total).padStart(5)}  first ${res.items[0]?.key ?? '-'}${agree}`,
      );
    }
    all.sort((a, b) => a - b);
    console.log(
      `ALL ${all.length} runs: p50 ${pct(all, 50).toFixed(1)} ms, p99 ${pct(all, 99).toFixed(1)} ms, max ${all[all.length - 1].toFixed(1)} ms`,
    );
  } finally {
    await svc.close();
    await scratch?.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
