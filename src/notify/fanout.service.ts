// Turns outbox events into deliveries, one per interested subscription, and coalesces bursts:
// the first dump.matched of a signature goes out at once and opens a window; further ones of
// that signature within the window are folded into one delivery sent when the window ends,
// which says how many dumps it stands for (data.count) and opens the next window. So 10,000
// dumps of one known bug in a minute are two notifications per subscription, not 10,000.
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { NotifyRepository, type CoalesceHead, type NotifyEvent, type OutboxEvent } from './notify.repository';

/** Events taken off the outbox per transaction. */
const BATCH = 200;
/** A coalesced notification lists at most this many dump ids (the count is exact). */
export const MAX_LISTED_DUMPS = 20;

type Data = Record<string, unknown>;

export function orderKey(e: Pick<OutboxEvent, 'event' | 'signatureId' | 'bucketId'>): string {
  return e.event === 'dump.matched' || e.event === 'signature.changed'
    ? `sig:${e.signatureId}`
    : `bucket:${e.bucketId}`;
}

/** Folds one more dump.matched into a notification's data. */
export function foldMatched(into: Data, next: Data): Data {
  const ids = new Set<string>((into.dumpIds as string[] | undefined) ?? []);
  if (ids.size < MAX_LISTED_DUMPS) ids.add(next.dumpId as string);
  return {
    ...next,
    count: ((into.count as number | undefined) ?? 1) + ((next.count as number | undefined) ?? 1),
    coalesced: true,
    dumpIds: [...ids],
    firstSeenAt: into.firstSeenAt ?? next.firstSeenAt,
    lastSeenAt: next.lastSeenAt,
  };
}

@Injectable()
export class FanoutService {
  constructor(
    private readonly ds: DataSource,
    private readonly repo: NotifyRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Fans out one batch of events; returns how many were taken (0: the outbox is empty). */
  async fanOutBatch(): Promise<number> {
    // Most ticks find nothing: look before opening a transaction (on PGlite they serialise).
    if (!(await this.repo.hasEvents())) return 0;
    return this.ds.transaction(async (em) => {
      const events = await this.repo.takeEvents(em, BATCH);
      if (events.length === 0) return 0;
      const subs = await this.repo.activeSubscribers(em);
      if (subs.length === 0) return events.length;
      const datas = await this.buildData(em, events);
      for (const sub of subs) {
        const wanted = events.filter((e) => sub.events.includes(e.event) && datas.has(e.id));
        // dump.matched are grouped per signature (coalescing); the rest keep their order as they are.
        const matchedBySig = new Map<string, OutboxEvent[]>();
        for (const e of wanted) {
          if (e.event === 'dump.matched') {
            const k = orderKey(e);
            matchedBySig.set(k, [...(matchedBySig.get(k) ?? []), e]);
          } else {
            await this.repo.insertDelivery(em, {
              subscriptionId: sub.id,
              event: e.event,
              orderKey: orderKey(e),
              data: datas.get(e.id)!,
              occurredAt: e.occurredAt,
            });
          }
        }
        for (const [key, group] of matchedBySig) await this.coalesce(em, sub.id, key, group, datas);
      }
      return events.length;
    });
  }

  private async coalesce(
    em: EntityManager,
    subscriptionId: string,
    key: string,
    group: OutboxEvent[],
    datas: Map<string, Data>,
  ): Promise<void> {
    const windowMs = this.config.notifyCoalesceSeconds * 1000;
    let head: (CoalesceHead & { dirty?: boolean; occurredAt?: Date }) | null =
      windowMs > 0 ? await this.repo.coalesceHead(em, subscriptionId, key) : null;
    const flush = async () => {
      if (head?.dirty && !(await this.repo.updateCoalesced(em, head.seq, head.data, head.occurredAt!))) {
        // Claimed by a sender meanwhile (only possible across instances): send the fold as its own.
        await this.repo.insertDelivery(em, {
          subscriptionId,
          event: 'dump.matched',
          orderKey: key,
          data: head.data,
          occurredAt: head.occurredAt!,
        });
      }
    };
    for (const e of group) {
      const data = datas.get(e.id)!;
      if (head && head.coalescing && head.status === 'pending' && head.attempts === 0) {
        head = { ...head, data: foldMatched(head.data, data), dirty: true, occurredAt: e.occurredAt };
        head.count = head.data.count as number;
        continue;
      }
      await flush();
      const inWindow = head?.windowEndsAt && new Date(head.windowEndsAt).getTime() > e.occurredAt.getTime();
      if (head && inWindow) {
        // The rest of this window: one delivery, sent when the window closes.
        const due = new Date(head.windowEndsAt!);
        const windowEndsAt = new Date(due.getTime() + windowMs);
        const folded = { ...data, coalesced: true };
        const seq = await this.repo.insertDelivery(em, {
          subscriptionId,
          event: 'dump.matched',
          orderKey: key,
          data: folded,
          occurredAt: e.occurredAt,
          coalescing: true,
          windowEndsAt,
          nextAttemptAt: due,
        });
        head = {
          seq,
          status: 'pending',
          attempts: 0,
          coalescing: true,
          windowEndsAt,
          count: 1,
          data: folded,
        };
      } else {
        const windowEndsAt = windowMs > 0 ? new Date(e.occurredAt.getTime() + windowMs) : null;
        const seq = await this.repo.insertDelivery(em, {
          subscriptionId,
          event: 'dump.matched',
          orderKey: key,
          data,
          occurredAt: e.occurredAt,
          windowEndsAt,
        });
        head = { seq, status: 'pending', attempts: 0, coalescing: false, windowEndsAt, count: 1, data };
      }
    }
    await flush();
  }

  /** The `data` of each event's notification, by event id; events whose subject is gone are dropped. */
  private async buildData(em: EntityManager, events: OutboxEvent[]): Promise<Map<string, Data>> {
    const ids = (pick: (e: OutboxEvent) => string | null) => [
      ...new Set(events.map(pick).filter((x): x is string => !!x)),
    ];
    // One after the other: a transaction has one connection.
    const sigs = await this.repo.signatures(
      em,
      ids((e) => e.signatureId),
    );
    const dumps = await this.repo.dumps(
      em,
      ids((e) => (e.event === 'dump.matched' ? e.dumpId : null)),
    );
    const buckets = await this.repo.buckets(
      em,
      ids((e) => e.bucketId),
    );
    const out = new Map<string, Data>();
    const at = (e: OutboxEvent) => new Date(e.occurredAt).toISOString();
    const sigView = (s: { id: string; key: string; title: string; status: string }) => ({
      id: s.id,
      key: s.key,
      title: s.title,
      status: s.status,
    });
    for (const e of events) {
      e.occurredAt = new Date(e.occurredAt);
      const ev: NotifyEvent = e.event;
      if (ev === 'dump.matched') {
        const s = sigs.get(e.signatureId ?? '');
        const d = dumps.get(e.dumpId ?? '');
        if (!s || !d) continue;
        const match = (Array.isArray(d.matches) ? d.matches : []).find(
          (m: { signatureId?: string }) => m.signatureId === s.id,
        ) as { score?: number } | undefined;
        out.set(e.id, {
          dumpId: d.id,
          signature: sigView(s),
          fixes: s.fixes,
          score: match?.score ?? null,
          title: d.title,
          host: d.host,
          source: d.source,
          count: 1,
          coalesced: false,
          dumpIds: [d.id],
          firstSeenAt: at(e),
          lastSeenAt: at(e),
        });
      } else if (ev === 'bucket.created' || ev === 'bucket.growing') {
        const b = buckets.get(e.bucketId ?? '');
        if (!b) continue;
        const base = { bucketId: b.id, fingerprint: b.fingerprint, title: b.title, kind: b.kind };
        out.set(
          e.id,
          ev === 'bucket.created'
            ? { ...base, dumpId: e.dumpId }
            : {
                ...base,
                threshold: e.data.threshold,
                occurrences: b.occurrences,
                dumpCount: b.dumpCount,
                signatureId: b.signatureId,
              },
        );
      } else {
        const s = sigs.get(e.signatureId ?? '');
        if (!s) continue;
        out.set(e.id, {
          signature: sigView(s),
          change: e.data.change,
          version: e.data.version,
          fixes: s.fixes,
        });
      }
    }
    return out;
  }
}
