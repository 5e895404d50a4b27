// The embedded database serves every connection from one PGlite session (src/db/pglite-batches.ts):
// a large parameterised query that reaches the socket in several chunks must still run as the
// statement its own connection prepared, whatever other connections send meanwhile.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Client } from 'pg';
import { startEmbeddedDatabase } from '../../src/db/embedded';
import { wholeBatches } from '../../src/db/pglite-batches';

/** A typed protocol message: its type byte, its length (itself included), its payload. */
function message(type: string, payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(payload.length + 4, 1);
  return Buffer.concat([head, payload]);
}

function startup(code: number, extra = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(8);
  b.writeInt32BE(8 + extra.length, 0);
  b.writeInt32BE(code, 4);
  return Buffer.concat([b, extra]);
}

describe('embedded database batches', () => {
  test('a connection buffer is cut after whole batches only', () => {
    const parse = message('P', Buffer.from('\0SELECT $1\0\0\0'));
    const bind = message('B', Buffer.alloc(300));
    const sync = message('S', Buffer.alloc(0));
    const batch = Buffer.concat([parse, bind, message('E', Buffer.alloc(5)), sync]);
    // Startup: an SSLRequest alone passes; a StartupMessage ends the untyped phase.
    assert.deepEqual(wholeBatches(startup(80877103), false), { length: 8, started: false, next: 16 });
    const hello = startup(196608, Buffer.from('user\0postgres\0\0'));
    assert.deepEqual(wholeBatches(hello.subarray(0, 10), false), {
      length: 0,
      started: false,
      next: hello.length,
    });
    assert.deepEqual(wholeBatches(Buffer.concat([hello, parse]), false), {
      length: hello.length,
      started: true,
      next: hello.length + parse.length + 5,
    });
    // After startup: nothing before the Sync, everything up to it, and a second batch cut short.
    assert.equal(wholeBatches(Buffer.concat([parse, bind]), true).length, 0);
    assert.equal(wholeBatches(batch.subarray(0, batch.length - 1), true).length, 0);
    assert.equal(wholeBatches(batch, true).length, batch.length);
    const cutShort = wholeBatches(Buffer.concat([batch, parse, bind.subarray(0, 9)]), true);
    assert.equal(cutShort.length, batch.length);
    // The Bind's header is in: nothing more can be found before the whole Bind is.
    assert.equal(cutShort.next, batch.length + parse.length + bind.length);
    // A simple query and a terminate are batches of their own.
    const q = message('Q', Buffer.from('SELECT 1\0'));
    assert.equal(wholeBatches(Buffer.concat([q, message('X', Buffer.alloc(0))]), true).length, q.length + 5);
  });

  test('large parameterised queries on one connection run as its own statements beside a stream on another', async () => {
    const db = await startEmbeddedDatabase({ dataDir: 'memory://', maxConnections: 4 });
    const big = new Client(db.url);
    const small = new Client(db.url);
    try {
      await big.connect();
      await small.connect();
      const payload = 'x'.repeat(300_000);
      const problems: string[] = [];
      let bigDone = false;
      const bigQueries = (async () => {
        for (let i = 0; i < 200; i++) {
          try {
            const r = await big.query<{ n: number; k: number }>(
              'SELECT length($1::text) AS n, $2::int AS k',
              [payload, i],
            );
            if (r.rows[0].n !== payload.length || r.rows[0].k !== i)
              problems.push(`big ${i}: ${JSON.stringify(r.rows[0])}`);
          } catch (err) {
            problems.push(`big ${i}: ${(err as Error).message}`);
          }
        }
        bigDone = true;
      })();
      let smallCount = 0;
      // The same parameter types and count: a Bind that reached the wrong statement would run it.
      while (!bigDone) {
        const r = await small.query<{ n: number; k: number }>(
          'SELECT length($1::text) + 1000000 AS n, $2::int AS k',
          ['yy', smallCount],
        );
        if (r.rows[0].n !== 1_000_002 || r.rows[0].k !== smallCount) problems.push(`small ${smallCount}`);
        smallCount++;
      }
      await bigQueries;
      assert.deepEqual(problems, []);
      // The two streams really ran side by side.
      assert.ok(smallCount > 200, `${smallCount} small queries`);
    } finally {
      await big.end().catch(() => undefined);
      await small.end().catch(() => undefined);
      await db.stop();
    }
  });
});
