// The embedded database: PGlite (PostgreSQL 18 compiled to WASM) in this process, served
// on a private loopback socket by pglite-socket so that TypeORM reaches it through the
// same `pg` driver path as a real server. Loaded with import() so that a service
// configured with DATABASE_URL never loads the 27 MB WASM.
import { mkdirSync } from 'node:fs';
import { frameWholeBatches } from './pglite-batches';
import type { PGlite } from '@electric-sql/pglite' with { 'resolution-mode': 'import' };
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket' with { 'resolution-mode': 'import' };

export interface EmbeddedDatabase {
  url: string;
  db: PGlite;
  /** Stops the socket server, then closes PGlite so its files are left consistent. */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Directory for the data files, or `memory://`. */
  dataDir: string;
  /** Upper bound of client connections; must be at least the sum of all pool sizes. */
  maxConnections: number;
  /** A pre-migrated data directory tarball (tests), instead of running initdb. */
  loadDataDir?: Blob;
}

export async function startEmbeddedDatabase(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const { PGLiteSocketHandler, PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  // Each connection's queries reach the shared session whole (src/db/pglite-batches.ts).
  frameWholeBatches(PGLiteSocketHandler);
  const inMemory = options.dataDir.startsWith('memory://');
  if (!inMemory) mkdirSync(options.dataDir, { recursive: true });
  const db: PGlite = await PGlite.create(inMemory ? 'memory://' : options.dataDir, {
    extensions: { pg_trgm },
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  });
  const server: PGLiteSocketServer = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: 0,
    maxConnections: options.maxConnections,
  });
  await server.start();
  let stopped = false;
  return {
    url: `postgres://postgres:postgres@${server.getServerConn()}/postgres`,
    db,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      // A CHECKPOINT before close keeps the next start from replaying WAL.
      await db.exec('CHECKPOINT').catch(() => undefined);
      await db.close();
    },
  };
}
