import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { isDatabaseUnavailable } from '../http/problem.filter';
import { SecretKeyError } from '../secrets/secret-box';
import { secretContext, SecretsService } from '../secrets/secrets.service';
import { FanoutService } from './fanout.service';
import { NotifyRepository, type ClaimedNotification } from './notify.repository';
import { send, type SendResult } from './sender';

/**
 * PGlite has no LISTEN/NOTIFY and the outbox is written by triggers, so the notifier polls:
 * one cheap query on an empty outbox per tick.
 */
const POLL_MS = 1000;
/** Deliveries in flight at once (to different signatures/buckets or subscriptions). */
const CONCURRENCY = 4;
/** Fan-out batches (of 200 events) per run before due deliveries are sent. */
const FANOUT_BATCHES_PER_RUN = 10;
/** A claimed delivery whose sender vanished is taken again after this (> the 10 s timeout). */
const LEASE_SECONDS = 30;
/** A subscription failing for this long is paused (API.md). */
export const PAUSE_AFTER_SECONDS = 24 * 3600;

/** Retry delays: the first retry within 5 s (API.md), then slower, at most an hour apart. */
const BACKOFF_SECONDS = [2, 10, 30, 120, 600, 1800, 3600];
export function backoffSeconds(attempt: number): number {
  return BACKOFF_SECONDS[Math.min(Math.max(attempt, 1), BACKOFF_SECONDS.length) - 1];
}

export function notificationBody(
  d: Pick<ClaimedNotification, 'event' | 'deliveryId' | 'occurredAt' | 'data'>,
) {
  return JSON.stringify({
    event: d.event,
    deliveryId: d.deliveryId,
    occurredAt: new Date(d.occurredAt).toISOString(),
    data: d.data,
  });
}

/** Fans out the outbox and sends due deliveries: a table-backed queue that works on PGlite. */
@Injectable()
export class NotifyWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Notify');
  private timer: NodeJS.Timeout | null = null;
  /** Runs of drainOnce, one after the other; `queued` counts those not finished. */
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  private stopped = false;

  constructor(
    private readonly repo: NotifyRepository,
    private readonly fanout: FanoutService,
    private readonly secrets: SecretsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), POLL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    // Sends in flight finish (10 s at most); what is left stays queued in the database.
    await this.chain;
  }

  kick(): void {
    if (this.queued > 0 || this.stopped) return;
    this.drain().catch((err: unknown) => {
      if (!isDatabaseUnavailable(err)) this.logger.warn(`notifications: ${(err as Error).message}`);
    });
  }

  /**
   * Fans out every waiting event, then sends every due delivery; after any run already going
   * (so a test that awaits it sees everything that was due when it called).
   */
  drain(): Promise<void> {
    this.queued++;
    const run = this.chain.then(() => this.drainOnce()).finally(() => this.queued--);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async drainOnce(): Promise<void> {
    // A bounded number of fan-out batches per run: under a steady stream of events the outbox
    // never empties, and sending must not wait for it to.
    for (let i = 0; i < FANOUT_BATCHES_PER_RUN && !this.stopped; i++) {
      if ((await this.fanout.fanOutBatch()) === 0) break;
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, () => this.sendLoop()));
  }

  private async sendLoop(): Promise<void> {
    while (!this.stopped) {
      const d = await this.repo.claimNext(LEASE_SECONDS);
      if (!d) return;
      await this.deliver(d);
    }
  }

  private async deliver(d: ClaimedNotification): Promise<void> {
    let result: SendResult;
    try {
      const secret = this.secrets.open(d.secretEnc, null, secretContext('subscriptions', d.subscriptionId));
      result = await send({
        url: d.url,
        secret,
        event: d.event,
        deliveryId: d.deliveryId,
        body: notificationBody(d),
        allowPrivate: this.config.allowPrivateUrls,
      });
    } catch (err) {
      if (!(err instanceof SecretKeyError)) throw err;
      result = { ok: false, status: null, error: `subscription secret unreadable: ${err.message}` };
    }
    if (result.ok) {
      await this.repo.markDelivered(d.seq, d.subscriptionId, result.status!);
      return;
    }
    const outcome = await this.repo.markFailed(
      d.seq,
      d.subscriptionId,
      result.status,
      result.error ?? 'failed',
      backoffSeconds(d.attempts),
      PAUSE_AFTER_SECONDS,
    );
    if (outcome === 'paused') {
      this.logger.warn(`subscription ${d.subscriptionId} paused after a day of failures: ${result.error}`);
    }
  }
}
