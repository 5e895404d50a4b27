import type { Fix, SignatureMatcher } from '../core/types';

/** A signature as the match index needs it; `deleted` ones are dropped from the index. */
export interface SignatureChange {
  id: string;
  title: string;
  matcher: SignatureMatcher;
  fixes: Fix[];
  notes: string[];
  deleted: boolean;
  /** The signature this one duplicates: a report may be claimed by both. */
  duplicateOf?: string | null;
}

/**
 * Where the match index reads the knowledge base from: every signature changed after a
 * sequence number (all live ones for null), and the highest sequence number seen.
 * The knowledge-base module provides it.
 */
export interface SignatureFeed {
  changesSince(seq: string | null): Promise<{ maxSeq: string | null; rows: SignatureChange[] }>;
}

export const SIGNATURE_FEED = Symbol('SIGNATURE_FEED');

/** Creates a signature from a dump (bucket promotion); the knowledge-base module provides it. */
export interface SignatureFromDumpWriter {
  createFromDump(
    content: string,
    input: { title?: string; fixes?: unknown[]; notes?: string[]; tags?: string[] },
    author: string,
  ): Promise<{ id: string; title: string; key: string }>;
}

export const SIGNATURE_WRITER = Symbol('SIGNATURE_WRITER');
