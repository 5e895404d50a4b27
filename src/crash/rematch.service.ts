import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { knownSignature } from './crash.service';
import { DumpsRepository } from './dumps.repository';
import { MatchIndexService } from './match-index.service';

const REMATCH_TICK_MS = 1000;

/**
 * Re-matching: when the knowledge base changes, earlier unmatched dumps are matched again
 * and attached to a signature they now match. It runs in the background in bounded
 * batches; its progress is each dump's `matched_at_seq` in the database, so it resumes
 * after a restart and several instances may share the work without harm.
 */
@Injectable()
export class RematchService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RematchService.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private caughtUpAt: string | null = null;
  private stopped = false;

  constructor(
    private readonly index: MatchIndexService,
    private readonly dumps: DumpsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), REMATCH_TICK_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // A batch in hand finishes before the database pool closes under it.
    await this.running?.catch(() => undefined);
  }

  private async tick(): Promise<void> {
    if (this.running || this.index.version === null || this.caughtUpAt === this.index.version) return;
    try {
      await this.runBatch();
    } catch (err) {
      this.logger.warn(`re-matching paused: ${(err as Error).message}`);
    }
  }

  /** Re-matches one batch; returns how many dumps it looked at (0: caught up). */
  runBatch(): Promise<number> {
    this.running ??= this.batch().finally(() => (this.running = null));
    return this.running;
  }

  /** Runs batches until every unmatched dump has been judged against the current knowledge base. */
  async drain(): Promise<void> {
    while ((await this.runBatch()) > 0) {
      // keep going
    }
  }

  private async batch(): Promise<number> {
    const seq = this.index.version;
    if (seq === null || this.stopped) return 0;
    const stale = await this.dumps.staleUnmatched(seq, this.config.rematchBatchSize);
    let attached = 0;
    for (const dump of stale) {
      if (this.stopped) break;
      const matches = this.index.match(dump.parsed, dump.content);
      const signatureId = knownSignature(matches);
      if (signatureId) attached++;
      await this.dumps.recordRematch(dump.id, matches, signatureId, seq);
    }
    if (stale.length === 0) this.caughtUpAt = seq;
    if (attached) this.logger.log(`re-matching attached ${attached} earlier dump(s) to known signatures`);
    return stale.length;
  }
}
