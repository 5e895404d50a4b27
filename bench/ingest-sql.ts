// The database's side of a stored dump, without the service: PostgreSQL CPU per dump (from
// /proc, every `postgres` process) for the statements the service sends, on the real schema,
// with the same bodies as bench/ingest.ts (parsed here once, before anything is timed).
//   node dist/bench/ingest-sql.js [--requests 800]
// Rows:
// - raw: the ceiling of bench/ingest, one single-row INSERT of the text into a bare table;
// - before: the write path before group commit (one transaction per dump: BEGIN, INSERT dump,
//   upsert bucket, UPDATE dump, COMMIT) on the schema before migration 1795000015500
//   (parsed jsonb, pglz);
// - the batch path (src/crash/dump-writer.ts writeBatch, the code the service runs) on both
//   schemas, with 1, 4 and 16 dumps per transaction, two transactions in flight.
// Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) for a scratch
// database that is dropped afterwards.
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import { Client } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { parseDump } from '../src/core/parse';
import { FINGERPRINT_VERSION } from '../src/core/fingerprint';
import { writeBatch } from '../src/crash/dump-writer';
import { UNRECOGNISED_BUCKET, type NewDump } from '../src/crash/dumps.repository';
import { typeOrmOptions } from '../src/db/database.module';
import { bodies, pool, postgresCpuMs } from './ingest-support';

const i = process.argv.indexOf('--requests');
const N = i > 0 ? Number(process.argv[i + 1]) : 800;
const SERVER_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

function dumps(tag: string): NewDump[] {
  return bodies(N, tag).map((b) => {
    const text = b.toString('utf8');
    const parsed = parseDump(text);
    return {
      contentHash: createHash('sha256').update(b).digest('hex'),
      content: text,
      contentBytes: null,
      parsed,
      parsedJson: JSON.stringify(parsed),
      matches: [],
      signatureId: null,
      source: null,
      host: null,
      metadata: null,
      metadataJson: null,
      collectedAt: null,
      matchedAtSeq: '1',
    };
  });
}

/** The write path before group commit, as DumpsRepository.upsert ran it (one dump, one transaction). */
async function before(em: EntityManager, d: NewDump): Promise<void> {
  const [row] = await em.query(
    `INSERT INTO dumps (content_hash, content, parsed, matches, title, kind, fingerprint, signature_id,
                        source, host, metadata, collected_at, matched_at_seq, content_bytes, metadata_json,
                        parsed_version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, ${FINGERPRINT_VERSION})
     ON CONFLICT (content_hash) DO UPDATE
       SET occurrences = dumps.occurrences + 1, last_seen_at = now(),
           matches = EXCLUDED.matches, signature_id = COALESCE(EXCLUDED.signature_id, dumps.signature_id),
           matched_at_seq = EXCLUDED.matched_at_seq
     RETURNING id, title, kind, fingerprint, bucket_id AS "bucketId", (xmax = 0) AS inserted`,
    [
      d.contentHash,
      d.content,
      JSON.stringify(d.parsed),
      JSON.stringify(d.matches),
      d.parsed.title,
      d.parsed.kind,
      d.parsed.fingerprint,
      d.signatureId,
      d.source,
      d.host,
      null,
      d.collectedAt,
      d.matchedAtSeq,
      d.contentBytes,
      d.metadataJson,
    ],
  );
  const [bucket] = await em.query(
    `INSERT INTO buckets (fingerprint, title, kind, representative_dump_id, signature_id, dump_count, occurrences)
     VALUES ($1, $2, $3, $4, $5, 1, 1)
     ON CONFLICT (fingerprint) DO UPDATE
       SET dump_count = buckets.dump_count + $6, occurrences = buckets.occurrences + 1,
           last_seen_at = now(), signature_id = COALESCE(buckets.signature_id, EXCLUDED.signature_id)
     RETURNING id`,
    [row.fingerprint ?? UNRECOGNISED_BUCKET, row.title, row.kind, row.id, null, row.inserted ? 1 : 0],
  );
  if (row.bucketId !== bucket.id)
    await em.query(`UPDATE dumps SET bucket_id = $2 WHERE id = $1`, [row.id, bucket.id]);
}

async function measure(name: string, run: () => Promise<void>): Promise<void> {
  const cpu0 = postgresCpuMs();
  const u0 = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const ms = performance.now() - t0;
  const u = process.cpuUsage(u0);
  console.log(
    `| ${name} | ${((N / ms) * 1000).toFixed(0)} | ${((postgresCpuMs() - cpu0) / N).toFixed(2)} | ${((u.user + u.system) / 1000 / N).toFixed(2)} |`,
  );
}

async function main(): Promise<void> {
  const name = `crashkb_benchsql_${process.pid}`;
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  // autoLoadEntities is @nestjs/typeorm's; the service has no entities.
  const { autoLoadEntities: _nestOnly, ...options } = typeOrmOptions(url.toString(), 4);
  const ds = new DataSource({ ...options, logging: false });
  try {
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
    console.log(
      `${N} distinct dumps per row, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    console.log('| write path | dumps/s | PostgreSQL CPU ms per dump | client CPU ms per dump |');
    console.log('|---|---:|---:|---:|');
    await ds.query('CREATE TABLE bench_raw (id bigserial PRIMARY KEY, body text NOT NULL)');
    // Not counted: the client's JIT and the connections warm up on every path once.
    const warm = dumps('warm-up');
    await pool(warm.length, 16, async (k) => {
      if (k % 3 === 0) await ds.query('INSERT INTO bench_raw (body) VALUES ($1)', [warm[k].content]);
      else if (k % 3 === 1) await ds.transaction((em) => writeBatch(em, [warm[k]]));
      else await ds.transaction((em) => before(em, warm[k]));
    });
    const raw = dumps('raw');
    await measure('raw single-row INSERT of the text, 16 at once (the ceiling)', async () => {
      await pool(N, 16, async (k) => {
        await ds.query('INSERT INTO bench_raw (body) VALUES ($1)', [raw[k].content]);
      });
    });
    const batches = async (label: string) => {
      for (const size of [1, 4, 16]) {
        const data = dumps(`${label}-${size}`);
        await measure(`${label}: writeBatch, ${size} per transaction, 2 in flight`, async () => {
          await pool(Math.ceil(N / size), 2, async (k) => {
            await ds.transaction((em) => writeBatch(em, data.slice(k * size, k * size + size)));
          });
        });
      }
    };
    await batches('json, lz4 where the server has it (now)');
    await ds.undoLastMigration({ transaction: 'each' });
    const old = dumps('before');
    await measure('jsonb, pglz: one transaction per dump as before, 16 at once', async () => {
      await pool(N, 16, async (k) => {
        await ds.transaction((em) => before(em, old[k]));
      });
    });
    await batches('jsonb, pglz');
  } finally {
    if (ds.isInitialized) await ds.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
