// Shapes the knowledge base answers with and exchanges in bundles. Fix follows API.md
// exactly (plus an `id` where it is a stored row, which API.md allows by adding).
import type { CrashKind, Fix, SignatureMatcher } from '../core/types';
import type { SignatureChange } from '../crash/signature-feed';

export const SIGNATURE_STATUSES = ['open', 'fixed', 'wontfix', 'duplicate'] as const;
export type SignatureStatus = (typeof SIGNATURE_STATUSES)[number];

export const FIX_KINDS = ['commit', 'patch', 'advisory', 'workaround', 'link'] as const;

export const REFERENCE_KINDS = ['bug', 'cve', 'mailing-list', 'advisory', 'article', 'source'] as const;
export type ReferenceKind = (typeof REFERENCE_KINDS)[number];

export const SORTS = ['relevance', 'newest', 'oldest', 'updated', 'title'] as const;
export type SignatureSort = (typeof SORTS)[number];

/** Bundle format version for export/import; bump when the shape changes incompatibly. */
export const BUNDLE_VERSION = 1;

export interface Reference {
  kind: ReferenceKind;
  url?: string | null;
  title?: string | null;
}

export interface FixView extends Fix {
  id: string;
}

export interface NoteView {
  id: string;
  body: string;
  author: string | null;
  createdAt: string;
}

export interface ReferenceView extends Reference {
  id: string;
}

export interface SignatureView {
  id: string;
  key: string;
  title: string;
  kind: CrashKind;
  status: SignatureStatus;
  duplicateOf: string | null;
  summary: string;
  matcher: SignatureMatcher;
  tags: string[];
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string | null;
  updatedBy: string | null;
  deletedAt: string | null;
  fixes: FixView[];
  notes: NoteView[];
  references: ReferenceView[];
  /** How often dumps of this bug were submitted (repeats counted) and when last. */
  seen: { count: number; lastSeenAt: string | null };
  /** Search relevance, only when the list was searched with `q`. */
  score?: number;
}

/** One signature in an export bundle: no ids, keyed on `key`. */
export interface BundleSignature {
  key: string;
  title: string;
  kind: CrashKind;
  status: SignatureStatus;
  /** The key of the signature this one duplicates. */
  duplicateOf?: string | null;
  tags: string[];
  summary: string;
  matcher: SignatureMatcher;
  fixes: Fix[];
  notes: { body: string; author?: string | null }[];
  references: Reference[];
}

export interface Bundle {
  version: number;
  exportedAt: string;
  signatures: BundleSignature[];
}

export interface ImportSummary {
  created: number;
  updated: number;
  unchanged: number;
  dryRun: boolean;
  /** Keys per outcome, so a dry run says exactly what would change. */
  keys: { created: string[]; updated: string[] };
}

/** What the matcher's in-memory index needs of a signature (the crash module's feed shape). */
export type IndexFeedRow = SignatureChange;

export interface IndexFeed {
  /** The highest change_seq seen (as a string: bigint), or null when there are no signatures. */
  maxSeq: string | null;
  rows: IndexFeedRow[];
}
