import { Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { Match, ParsedDump } from '../core/types';
import { AdmissionGate } from './admission';
import { DumpWriter, MAX_BATCH_DUMPS, type WriteTicket } from './dump-writer';
import { DumpsRepository, type BucketRow, type DumpFilter, type DumpRow } from './dumps.repository';
import { cleanText, decodeDump, dumpText, storableMetadata } from './lossless';
import { MatchIndexService } from './match-index.service';
import { ParsePool } from './parse-pool.service';

export interface SubmitMeta {
  source?: string | null;
  host?: string | null;
  metadata?: Record<string, unknown> | null;
  collectedAt?: Date | null;
}

export interface SubmitResult {
  id: string;
  /** false: the same content was seen before and its occurrence count was raised. */
  created: boolean;
  occurrences: number;
  signatureId: string | null;
  parsed: ParsedDump;
  /** JSON.stringify(parsed), made where it was parsed: the answer reuses it. */
  parsedJson: string;
  matches: Match[];
  bucket: BucketRow;
}

/**
 * The JSON answer to a submission: exactly JSON.stringify(result without parsedJson), with
 * `parsed` spliced in from the JSON made on the worker thread instead of serialised again.
 */
export function submitAnswerJson(r: SubmitResult): string {
  return (
    `{"id":${JSON.stringify(r.id)},"created":${r.created},"occurrences":${r.occurrences},` +
    `"signatureId":${JSON.stringify(r.signatureId)},"parsed":${r.parsedJson},` +
    `"matches":${JSON.stringify(r.matches)},"bucket":${JSON.stringify(r.bucket)}}`
  );
}

/** The confident match, if any: what a submitted dump is labelled with. */
export function knownSignature(matches: Match[]): string | null {
  return matches.find((m) => m.verdict === 'match')?.signatureId ?? null;
}

/** Over the exact bytes: two dumps that differ only in bytes the text cannot show are two dumps. */
export function contentHash(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** Use cases of the crash side: parse, match, submit, look dumps and buckets up. */
@Injectable()
export class CrashService {
  private readonly logger = new Logger(CrashService.name);
  /**
   * Submissions admitted at once: parsed (on the worker thread), matched and handed to the
   * group commit (src/crash/dump-writer.ts), which holds at most `maxInFlight` pool
   * connections (1 on PGlite, 2 on a server) and leaves the others for reads and background
   * work. As many as its batches can hold are admitted; a queue of 16 per pool connection
   * beyond that is waited for, more is shed at once with 503 before any work is spent on it
   * (src/crash/admission.ts). Saturation is judged by that depth, not by the wait: one 5 MiB
   * dump can hold PGlite's single write slot for seconds on a loaded machine, and a 3 s wait
   * limit shed the submission queued behind it (the shutdown test caught it). Waiters hold no
   * pool connection, so they cannot time out in the pool.
   */
  readonly writeGate: AdmissionGate;

  constructor(
    private readonly index: MatchIndexService,
    private readonly dumps: DumpsRepository,
    private readonly writer: DumpWriter,
    private readonly parser: ParsePool,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.writeGate = new AdmissionGate(MAX_BATCH_DUMPS * writer.maxInFlight, config.dbPoolSize * 16, 30_000);
  }

  parse(content: string): Promise<ParsedDump> {
    return this.parser.parse(cleanText(content));
  }

  async match(content: string): Promise<{ parsed: ParsedDump; matches: Match[] }> {
    const text = cleanText(content);
    const parsed = await this.parser.parse(text);
    return { parsed, matches: this.index.match(parsed, text) };
  }

  /**
   * @param content the dump as a string (JSON `content`, or the text body decoded)
   * @param raw the exact body bytes of a text/plain submission, kept when they are not its text
   */
  async submit(content: string, meta: SubmitMeta = {}, raw: Buffer | null = null): Promise<SubmitResult> {
    return this.writeGate.run(async () => {
      // Tells the group commit a dump is on its way, so a batch may wait a moment for it.
      const ticket = this.writer.expect();
      try {
        return await this.store(content, meta, raw, ticket);
      } finally {
        ticket.cancel();
      }
    });
  }

  private async store(content: string, meta: SubmitMeta, raw: Buffer | null, ticket: WriteTicket) {
    const seq = this.index.version ?? '0';
    const dump = dumpText(content, raw);
    const { parsed, json: parsedJson } = await this.parser.parseWithJson(dump.text);
    let matches: Match[] = [];
    let judgedAt = seq;
    try {
      matches = this.index.match(parsed, dump.text);
    } catch (err) {
      judgedAt = '0';
      // A submitted dump is kept even if matching fails; re-matching will judge it again.
      this.logger.error(`matching a submitted dump failed: ${(err as Error).message}`);
    }
    const signatureId = knownSignature(matches);
    const metadata = meta.metadata ? storableMetadata(meta.metadata) : null;
    const {
      dump: row,
      bucket,
      inserted,
    } = await ticket.write({
      contentHash: contentHash(dump.bytes),
      content: dump.text,
      contentBytes: dump.exact ? null : dump.bytes,
      parsed,
      parsedJson,
      matches,
      signatureId,
      // The API refuses NUL here (400); the webhook queue's dumps arrive already accepted.
      source: meta.source ? cleanText(meta.source) : null,
      host: meta.host ? cleanText(meta.host) : null,
      metadata: metadata?.value ?? null,
      metadataJson: metadata?.json ?? null,
      collectedAt: meta.collectedAt ?? null,
      matchedAtSeq: judgedAt,
    });
    return {
      id: row.id,
      created: inserted,
      occurrences: row.occurrences,
      signatureId: row.signatureId,
      parsed,
      parsedJson,
      matches,
      bucket,
    };
  }

  /**
   * The stored dump; `content` is the dump exactly as sent whenever a string can be (NUL,
   * control characters, lone surrogates included), `contentExact` says so, `size` is its
   * length in bytes.
   */
  async getDump(id: string) {
    const found = await this.dumps.findOne(id);
    if (!found) throw new NotFoundException(`no dump ${id}`);
    const { contentBytes, metadataJson, ...dump } = found;
    const exact = contentBytes ? decodeDump(contentBytes) : { content: dump.content, exact: true };
    return {
      ...dump,
      content: exact.content,
      contentExact: exact.exact,
      size: contentBytes ? contentBytes.length : Buffer.byteLength(dump.content, 'utf8'),
      ...(metadataJson !== null ? { metadataJson } : {}),
    };
  }

  /** The dump byte for byte as it was received. */
  async getDumpBytes(id: string): Promise<Buffer> {
    const bytes = await this.dumps.findBytes(id);
    if (!bytes) throw new NotFoundException(`no dump ${id}`);
    return bytes;
  }

  listDumps(filter: DumpFilter): Promise<{ items: DumpRow[]; total: number }> {
    return this.dumps.list(filter);
  }

  async getBucket(id: string): Promise<BucketRow> {
    const bucket = await this.dumps.findBucket(id);
    if (!bucket) throw new NotFoundException(`no bucket ${id}`);
    return bucket;
  }

  listBuckets(opts: Parameters<DumpsRepository['listBuckets']>[0]) {
    return this.dumps.listBuckets(opts);
  }
}
