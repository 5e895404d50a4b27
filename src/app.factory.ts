// Builds the whole service (embedded database if needed, Nest app, HTTP plumbing) and
// knows how to take it down in the right order. main.ts and the e2e tests both use it,
// so tests run the very code that production runs.
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { loadAppConfig, type AppConfig } from './config/app-config';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './db/embedded';
import { RequestDrain } from './http/drain';
import { keepRawText, refuseDeepJson, refuseNulInJson, refuseNulInUrl } from './http/hostile-input';
import { sendProblem, toProblem } from './http/problem.filter';
import { assignRequestId } from './http/request-id';
import { createValidationPipe } from './http/validation';

export interface CrashkbApp {
  app: NestExpressApplication;
  config: AppConfig;
  embedded: EmbeddedDatabase | null;
  /**
   * Stops accepting, finishes requests in flight (their parse and their database writes; up
   * to `drainTimeoutMs`), then closes the worker pool and the database pool, then stops the
   * embedded database.
   */
  close(options?: { drainTimeoutMs?: number }): Promise<void>;
}

export interface CreateAppOptions {
  /** A pre-migrated PGlite data directory (tests): skips initdb. */
  loadDataDir?: Blob;
}

/** Connections the embedded socket server accepts beyond the TypeORM pool (background workers, health). */
const EMBEDDED_SPARE_CONNECTIONS = 4;

/** How long shutdown waits for requests in flight before it cuts them off. */
export const SHUTDOWN_DRAIN_MS = 20_000;

export function configureHttp(app: NestExpressApplication, config: AppConfig, drain?: RequestDrain): void {
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  const limit = config.maxDumpBytes;
  app.use((req: Request, res: Response, next: NextFunction) => {
    assignRequestId(req, res);
    next();
  });
  if (drain) app.use(drain.middleware);
  app.use(refuseNulInUrl);
  // Webhook signatures are checked over the exact bytes received: keep them raw (and
  // unparsed, so a bad signature is a 401 even when the body is not JSON).
  app.use('/api/v1/webhooks', express.raw({ type: () => true, limit }));
  app.use(express.json({ limit, type: ['application/json', 'application/*+json'], verify: refuseDeepJson }));
  app.use(express.text({ limit, type: ['text/*'], verify: keepRawText }));
  // Body parser errors (413, malformed JSON) happen before Nest's filters can see them.
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    sendProblem(req, res, toProblem(err));
  });
  app.use(refuseNulInJson);
  app.useGlobalPipes(createValidationPipe());
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('crashkb')
      .setDescription(
        'Known crash signatures: parse kernel and sanitizer dumps, match them against known bugs, return the fixes.',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key' })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json' });
}

export async function createApp(
  env: Record<string, string | undefined> = process.env,
  options: CreateAppOptions = {},
): Promise<CrashkbApp> {
  const config = loadAppConfig(env);
  let embedded: EmbeddedDatabase | null = null;
  let url = config.databaseUrl;
  if (url === null) {
    embedded = await startEmbeddedDatabase({
      dataDir: config.dataDir,
      maxConnections: config.dbPoolSize + EMBEDDED_SPARE_CONNECTIONS,
      loadDataDir: options.loadDataDir,
    });
    url = embedded.url;
  }
  let app: NestExpressApplication;
  const drain = new RequestDrain();
  try {
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, url), {
      bufferLogs: true,
      bodyParser: false,
      abortOnError: false,
    });
    app.useLogger(app.get(Logger));
    configureHttp(app, config, drain);
    await app.init();
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
  let closing: Promise<void> | null = null;
  return {
    app,
    config,
    embedded,
    close(options = {}) {
      closing ??= (async () => {
        try {
          // Nest's close() would destroy the worker and database pools before it stops the
          // HTTP server: drain the requests first (src/http/drain.ts).
          const drained = await drain.drain(app.getHttpServer(), options.drainTimeoutMs ?? SHUTDOWN_DRAIN_MS);
          if (!drained)
            app.get(Logger).warn(`shutdown: ${drain.pending} request(s) cut off after the drain deadline`);
          await app.close();
        } finally {
          await embedded?.stop();
        }
      })();
      return closing;
    },
  };
}
