import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { CrashService } from '../crash/crash.service';
import { isDatabaseUnavailable } from '../http/problem.filter';
import { readPayload } from './formats';
import { WebhooksRepository, type ClaimedDelivery } from './webhooks.repository';

// Deliveries accepted here are kicked at once; the poll is for retries and other instances.
const POLL_MS = 2000;
/** A delivery stuck in `processing` this long lost its worker (crash, restart): take it again. */
const PROCESSING_LEASE_SECONDS = 60;
/** Attempts before a delivery that keeps failing for transient reasons is dead-lettered. */
export const MAX_ATTEMPTS = 6;

function backoffSeconds(attempt: number): number {
  return Math.min(300, 2 ** attempt);
}

/**
 * Processes accepted deliveries from the webhook_deliveries table: claims one at a time,
 * stores its dumps through the same submit path as the API, marks it done. A body that
 * cannot be read fails at once (permanent); other errors are retried with backoff, then
 * the delivery is marked failed with the reason, and its body is kept either way.
 */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private timer: NodeJS.Timeout | null = null;
  private draining: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly crash: CrashService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), POLL_MS);
    this.timer.unref();
    this.kick();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    // Let the delivery in hand finish; what is left stays queued in the database.
    await this.draining?.catch(() => undefined);
  }

  /** Starts draining the queue unless it is already being drained. */
  kick(): void {
    if (this.draining || this.stopped) return;
    this.draining = this.drain()
      .catch((err: unknown) => {
        if (!isDatabaseUnavailable(err)) this.logger.warn(`webhook queue: ${(err as Error).message}`);
      })
      .finally(() => (this.draining = null));
  }

  /** Processes due deliveries until none is left (tests await it). */
  async drain(): Promise<void> {
    while (!this.stopped) {
      const d = await this.repo.claimNext(PROCESSING_LEASE_SECONDS);
      if (!d) return;
      await this.process(d);
    }
  }

  private async process(d: ClaimedDelivery): Promise<void> {
    const payload = readPayload(d.format, d.body, d.contentType);
    if (!payload.ok) {
      await this.repo.finish(d.deliveryId, 'failed', payload.reason);
      return;
    }
    try {
      for (const dump of payload.dumps.slice(d.dumpIds.length)) {
        const r = await this.crash.submit(dump.content, {
          source: `webhook:${d.source}`,
          host: dump.host,
          collectedAt: dump.collectedAt,
          metadata: { ...(dump.metadata ?? {}), deliveryId: d.deliveryId },
        });
        await this.repo.appendDump(d.deliveryId, r.id);
      }
      await this.repo.finish(d.deliveryId, 'done', null);
    } catch (err) {
      const reason = (err as Error).message?.slice(0, 500) ?? String(err);
      if (d.attempts >= MAX_ATTEMPTS) {
        this.logger.error(`delivery ${d.deliveryId} failed after ${d.attempts} attempts: ${reason}`);
        await this.repo.finish(d.deliveryId, 'failed', `after ${d.attempts} attempts: ${reason}`);
      } else {
        await this.repo.retryLater(d.deliveryId, backoffSeconds(d.attempts), reason);
      }
    }
  }
}
