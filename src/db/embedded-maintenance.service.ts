import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/** How often the embedded database is vacuumed. */
export const EMBEDDED_VACUUM_INTERVAL_MS = 15 * 60 * 1000;

/**
 * PGlite runs no autovacuum (no background workers) and keeps no dead-tuple statistics, so
 * without this, updated rows pile up, GIN pending lists grow and the planner's statistics go
 * stale (EMBEDDED-DB.md). In embedded mode only, a periodic VACUUM ANALYZE does what
 * autovacuum does on a real server.
 */
@Injectable()
export class EmbeddedMaintenance implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('EmbeddedDatabase');
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.databaseUrl !== null) return;
    this.timer = setInterval(() => void this.vacuum(), EMBEDDED_VACUUM_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async vacuum(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    const t0 = Date.now();
    try {
      await this.dataSource.query('VACUUM ANALYZE');
      const ms = Date.now() - t0;
      this.logger.debug(`VACUUM ANALYZE took ${ms} ms`);
      return ms;
    } catch (err) {
      this.logger.warn(`VACUUM ANALYZE failed: ${(err as Error).message}`);
      return -1;
    } finally {
      this.running = false;
    }
  }
}
