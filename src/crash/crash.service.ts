import { Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { Match, ParsedDump } from '../core/types';
import { AdmissionGate } from './admission';
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
  matches: Match[];
  bucket: BucketRow;
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
   * Stored dumps take one pool connection each, leaving one for reads and background work;
   * a queue of 16 per connection is waited for, more is shed at once with 503
   * (src/crash/admission.ts). Saturation is judged by that depth, not by the wait: one 5 MiB
   * dump can hold PGlite's single write slot for seconds on a loaded machine, and a 3 s wait
   * limit shed the submission queued behind it (the shutdown test caught it). Waiters hold no
   * pool connection, so they cannot time out in the pool.
   */
  readonly writeGate: AdmissionGate;

  constructor(
    private readonly index: MatchIndexService,
    private readonly dumps: DumpsRepository,
    private readonly parser: ParsePool,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.writeGate = new AdmissionGate(Math.max(1, config.dbPoolSize - 1), config.dbPoolSize * 16, 30_000);
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
    const seq = this.index.version ?? '0';
    const dump = dumpText(content, raw);
    const parsed = await this.parser.parse(dump.text);
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
    } = await this.writeGate.run(() =>
      this.dumps.upsert({
        contentHash: contentHash(dump.bytes),
        content: dump.text,
        contentBytes: dump.exact ? null : dump.bytes,
        parsed,
        matches,
        signatureId,
        // The API refuses NUL here (400); the webhook queue's dumps arrive already accepted.
        source: meta.source ? cleanText(meta.source) : null,
        host: meta.host ? cleanText(meta.host) : null,
        metadata: metadata?.value ?? null,
        metadataJson: metadata?.json ?? null,
        collectedAt: meta.collectedAt ?? null,
        matchedAtSeq: judgedAt,
      }),
    );
    return {
      id: row.id,
      created: inserted,
      occurrences: row.occurrences,
      signatureId: row.signatureId,
      parsed,
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
