import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthModule } from './auth/auth.module';
import { APP_CONFIG, type AppConfig } from './config/app-config';
import { DatabaseModule } from './db/database.module';
import { HealthModule } from './health/health.module';
import { KbModule } from './kb/kb.module';
import { CrashModule } from './crash/crash.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { NotifyModule } from './notify/notify.module';
import { SecretsModule } from './secrets/secrets.service';
import { UiModule } from './ui/ui.module';
import { ProblemFilter } from './http/problem.filter';
import { assignRequestId } from './http/request-id';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true, isGlobal: true, load: [() => ({ app: config })] }),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            genReqId: (req: IncomingMessage, res: ServerResponse) => assignRequestId(req, res),
            redact: [
              'req.headers.authorization',
              'req.headers["x-crashkb-signature"]',
              // the web page's session token travels in these
              'req.headers.cookie',
              'req.headers["x-csrf-token"]',
              'res.headers["set-cookie"]',
            ],
            customLogLevel: (_req, res, err) =>
              err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
          },
        }),
        ThrottlerModule.forRoot({
          throttlers: [
            { name: 'per-key', ttl: 60_000, limit: config.rateLimitPerMinute || Number.MAX_SAFE_INTEGER },
          ],
          skipIf: () => config.rateLimitPerMinute === 0,
        }),
        DatabaseModule.forRoot(config, databaseUrl),
        SecretsModule,
        AuthModule,
        HealthModule,
        KbModule,
        CrashModule,
        WebhooksModule,
        NotifyModule,
        UiModule,
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
      exports: [APP_CONFIG],
    };
  }
}
