import 'reflect-metadata';
import { Logger } from 'nestjs-pino';
import { createApp, SHUTDOWN_DRAIN_MS } from './app.factory';
import { ConfigError } from './config/app-config';

// Requests in flight get SHUTDOWN_DRAIN_MS; closing the pools and the database the rest.
const SHUTDOWN_GRACE_MS = SHUTDOWN_DRAIN_MS + 10_000;

async function main(): Promise<void> {
  const service = await createApp(process.env);
  const { app, config } = service;
  await app.listen(config.port, config.host);
  const logger = app.get(Logger);
  logger.log(
    `crashkb listening on http://${config.host}:${config.port} (database: ${config.databaseUrl ? 'DATABASE_URL' : `embedded ${config.dataDir}`})`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: shutting down`);
    // A request that never ends must not keep a stopped service alive forever.
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
    service.close().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(`crashkb: ${err.message}`);
  } else {
    console.error('crashkb: failed to start:', err);
  }
  process.exit(1);
});
