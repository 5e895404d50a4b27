import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { FINGERPRINT_VERSION } from '../core/fingerprint';
import { knownSignature } from './crash.service';
import { MatchIndexService } from './match-index.service';
import { ParsePool } from './parse-pool.service';
import { ReparseRepository } from './reparse.repository';

const REPARSE_TICK_MS = 2000;

/**
 * Re-parsing: when the parser's rules change (FINGERPRINT_VERSION), dumps stored under older
 * rules are parsed again from their text in the background, in bounded batches, so their
 * titles, fingerprints, buckets and matches follow the new rules. Progress is each dump's
 * `parsed_version`, so it resumes after a restart and several instances may share the work.
 */
@Injectable()
export class ReparseService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReparseService.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private caughtUp = false;
  private stopped = false;

  constructor(
    private readonly index: MatchIndexService,
    private readonly pool: ParsePool,
    private readonly repo: ReparseRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), REPARSE_TICK_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // As for re-matching: a batch in hand finishes before the database pool closes under it.
    await this.running?.catch(() => undefined);
  }

  private async tick(): Promise<void> {
    if (this.running || this.caughtUp) return;
    try {
      if ((await this.runBatch()) === 0) this.caughtUp = true;
    } catch (err) {
      this.logger.warn(`re-parsing paused: ${(err as Error).message}`);
    }
  }

  /** Re-parses one batch; returns how many dumps it looked at (0: every dump is current). */
  runBatch(): Promise<number> {
    this.running ??= this.batch().finally(() => (this.running = null));
    return this.running;
  }

  async drain(): Promise<void> {
    while ((await this.runBatch()) > 0) {
      // keep going
    }
  }

  private async batch(): Promise<number> {
    // Matched against an index not loaded yet, a dump keeps seq 0 and re-matching judges it again.
    const seq = this.index.version ?? '0';
    if (this.stopped) return 0;
    const stale = await this.repo.staleParsed(FINGERPRINT_VERSION, this.config.rematchBatchSize);
    let moved = 0;
    for (const dump of stale) {
      if (this.stopped) break;
      const parsed = await this.pool.parseInBackground(dump.content);
      const matches = this.index.match(parsed, dump.content);
      const r = await this.repo.record(
        dump.id,
        parsed,
        matches,
        knownSignature(matches),
        FINGERPRINT_VERSION,
        seq,
      );
      if (r.moved) moved++;
    }
    if (stale.length > 0)
      this.logger.log(
        `re-parsed ${stale.length} dump(s) under parser rules v${FINGERPRINT_VERSION}; ${moved} changed bucket`,
      );
    return stale.length;
  }
}
