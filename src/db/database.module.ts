import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { EmbeddedMaintenance } from './embedded-maintenance.service';

/** Compiled migrations live in dist/migrations; this file is dist/src/db/database.module.js. */
export const MIGRATIONS_GLOB = join(__dirname, '..', '..', 'migrations', '*.js');

export function typeOrmOptions(url: string, poolSize: number) {
  return {
    type: 'postgres' as const,
    url,
    autoLoadEntities: true,
    synchronize: false,
    migrations: [MIGRATIONS_GLOB],
    migrationsRun: true,
    migrationsTransactionMode: 'each' as const,
    poolSize,
    // A database that is down at start-up (compose ordering) is retried for a while.
    retryAttempts: 10,
    retryDelay: 1000,
    // min = max: connections once opened stay open. Opening one under load (TCP, backend
    // start, auth) is what can run into the 5 s connect timeout; a warm pool does not.
    extra: { max: poolSize, min: poolSize, connectionTimeoutMillis: 5000 },
  };
}

@Module({})
export class DatabaseModule {
  static forRoot(config: AppConfig, url: string): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [TypeOrmModule.forRoot(typeOrmOptions(url, config.dbPoolSize))],
      providers: [EmbeddedMaintenance],
      exports: [EmbeddedMaintenance],
    };
  }
}
