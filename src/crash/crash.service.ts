import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Match, ParsedDump } from '../core/types';
import { DumpsRepository, type BucketRow, type DumpFilter, type DumpRow } from './dumps.repository';
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

export function contentHash(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

/** Use cases of the crash side: parse, match, submit, look dumps and buckets up. */
@Injectable()
export class CrashService {
  private readonly logger = new Logger(CrashService.name);

  constructor(
    private readonly index: MatchIndexService,
    private readonly dumps: DumpsRepository,
    private readonly parser: ParsePool,
  ) {}

  parse(content: string): Promise<ParsedDump> {
    return this.parser.parse(content);
  }

  async match(content: string): Promise<{ parsed: ParsedDump; matches: Match[] }> {
    const parsed = await this.parser.parse(content);
    return { parsed, matches: this.index.match(parsed, content) };
  }

  async submit(content: string, meta: SubmitMeta = {}): Promise<SubmitResult> {
    const seq = this.index.version ?? '0';
    const parsed = await this.parser.parse(content);
    let matches: Match[] = [];
    let judgedAt = seq;
    try {
      matches = this.index.match(parsed, content);
    } catch (err) {
      judgedAt = '0';
      // A submitted dump is kept even if matching fails; re-matching will judge it again.
      this.logger.error(`matching a submitted dump failed: ${(err as Error).message}`);
    }
    const signatureId = knownSignature(matches);
    const { dump, bucket, inserted } = await this.dumps.upsert({
      contentHash: contentHash(content),
      content,
      parsed,
      matches,
      signatureId,
      source: meta.source ?? null,
      host: meta.host ?? null,
      metadata: meta.metadata ?? null,
      collectedAt: meta.collectedAt ?? null,
      matchedAtSeq: judgedAt,
    });
    return {
      id: dump.id,
      created: inserted,
      occurrences: dump.occurrences,
      signatureId: dump.signatureId,
      parsed,
      matches,
      bucket,
    };
  }

  async getDump(id: string) {
    const dump = await this.dumps.findOne(id);
    if (!dump) throw new NotFoundException(`no dump ${id}`);
    return dump;
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
