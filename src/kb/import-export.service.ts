// Export and import of knowledge-base bundles, keyed on the stable `key`. Import compares the
// content of each signature with what is stored and only writes what differs, so importing
// the same bundle twice changes nothing (not even change_seq); the seed loader uses it too.
import { BadRequestException, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { BundleSignatureDto, ImportBundleDto } from './kb.dto';
import {
  BUNDLE_VERSION,
  type Bundle,
  type BundleSignature,
  type ImportSummary,
  type SignatureView,
} from './kb.types';
import { checkMatcher, normalizeMatcher, stableStringify } from './matcher';
import { cleanFix, cleanReference, cleanTags } from './signatures.service';
import { SignaturesRepository, type Queryable } from './signatures.repository';

export interface ImportOptions {
  dryRun: boolean;
  /** Who is importing (principal name, or `seed`). */
  by: string | null;
}

/** The bundle form of one signature, normalised so that equal content compares equal. */
function canonical(s: BundleSignature): BundleSignature {
  return {
    key: s.key,
    title: s.title.trim(),
    kind: s.kind,
    status: s.status ?? 'open',
    duplicateOf: s.duplicateOf ?? null,
    tags: cleanTags(s.tags),
    summary: s.summary ?? '',
    matcher: normalizeMatcher(s.matcher),
    fixes: (s.fixes ?? []).map(cleanFix),
    notes: (s.notes ?? []).map((n) => ({ body: n.body, author: n.author ?? null })),
    references: (s.references ?? []).map(cleanReference),
  };
}

/** What must be equal for an import to leave a stored signature alone (note authors aside). */
function contentOf(s: BundleSignature, deleted: boolean): string {
  const c = canonical(s);
  return stableStringify({ ...c, notes: c.notes.map((n) => n.body), deleted });
}

function toBundle(v: SignatureView, keyOf: Map<string, string>): BundleSignature {
  return canonical({
    key: v.key,
    title: v.title,
    kind: v.kind,
    status: v.status,
    duplicateOf: v.duplicateOf ? (keyOf.get(v.duplicateOf) ?? null) : null,
    tags: v.tags,
    summary: v.summary,
    matcher: v.matcher,
    fixes: v.fixes.map(cleanFix),
    notes: v.notes.map((n) => ({ body: n.body, author: n.author })),
    references: v.references.map(cleanReference),
  });
}

/** A bundle signature as DTO validation leaves it: notes may be strings or objects. */
export function fromDto(d: BundleSignatureDto): BundleSignature {
  return {
    key: d.key,
    title: d.title,
    kind: d.kind,
    status: d.status ?? 'open',
    duplicateOf: d.duplicateOf ?? null,
    tags: d.tags ?? [],
    summary: d.summary ?? '',
    matcher: d.matcher,
    fixes: d.fixes ?? [],
    notes: (d.notes ?? []).map((n) =>
      typeof n === 'string' ? { body: n } : { body: n.body, author: n.author },
    ),
    references: d.references ?? [],
  };
}

@Injectable()
export class ImportExportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: SignaturesRepository,
  ) {}

  async exportBundle(): Promise<Bundle> {
    const all = await this.repo.findByKeys(this.dataSource, null);
    const dupIds = all.map((s) => s.duplicateOf).filter((x): x is string => !!x);
    const keyOf = await this.repo.keysByIds(this.dataSource, dupIds);
    return {
      version: BUNDLE_VERSION,
      exportedAt: new Date().toISOString(),
      signatures: all.map((s) => toBundle(s, keyOf)),
    };
  }

  importBundle(bundle: ImportBundleDto, opts: ImportOptions): Promise<ImportSummary> {
    return this.importSignatures(bundle.signatures.map(fromDto), opts);
  }

  /**
   * Creates the signatures whose key is new, updates those whose content differs (a
   * soft-deleted one is restored), leaves the rest untouched. One transaction: all or nothing.
   */
  async importSignatures(input: BundleSignature[], opts: ImportOptions): Promise<ImportSummary> {
    const items = input.map(canonical);
    const seen = new Set<string>();
    items.forEach((s, i) => {
      if (seen.has(s.key)) {
        throw new BadRequestException(`signatures.${i}.key: "${s.key}" appears more than once in the bundle`);
      }
      seen.add(s.key);
      checkMatcher(s.matcher, `signatures.${i}.matcher`);
    });
    const run = async (em: Queryable): Promise<ImportSummary> => {
      const existing = new Map(
        (await this.repo.findByKeys(em, [...seen], true)).map((v) => [v.key, v] as const),
      );
      const dupIds = [...existing.values()].map((v) => v.duplicateOf).filter((x): x is string => !!x);
      const keyOf = await this.repo.keysByIds(em, dupIds);
      const created: BundleSignature[] = [];
      const updated: { item: BundleSignature; current: SignatureView }[] = [];
      let unchanged = 0;
      for (const item of items) {
        const cur = existing.get(item.key);
        if (!cur) created.push(item);
        else if (contentOf(toBundle(cur, keyOf), cur.deletedAt !== null) !== contentOf(item, false)) {
          updated.push({ item, current: cur });
        } else unchanged++;
      }
      const summary: ImportSummary = {
        created: created.length,
        updated: updated.length,
        unchanged,
        dryRun: opts.dryRun,
        keys: { created: created.map((c) => c.key), updated: updated.map((u) => u.item.key) },
      };
      if (opts.dryRun) return summary;

      // duplicateOf names a key: of this bundle or of the database. Signatures that duplicate
      // nothing go first so the ones that do can find them.
      const idOf = await this.repo.idsByKeys(
        em,
        items.map((s) => s.duplicateOf).filter((k): k is string => !!k),
      );
      const resolve = (k: string | null | undefined) => (k ? (idOf.get(k) ?? null) : null);
      const byDup = (a: BundleSignature, b: BundleSignature) =>
        Number(!!a.duplicateOf) - Number(!!b.duplicateOf);
      for (const s of [...created].sort(byDup)) {
        const id = await this.repo.insert(em, { ...s, duplicateOf: resolve(s.duplicateOf) }, opts.by);
        idOf.set(s.key, id);
        await this.writeChildren(em, id, s, opts.by);
      }
      for (const { item: s, current } of updated.sort((a, b) => byDup(a.item, b.item))) {
        await this.repo.update(
          em,
          current.id,
          {
            title: s.title,
            kind: s.kind,
            status: s.status,
            duplicateOf: resolve(s.duplicateOf),
            summary: s.summary,
            matcher: s.matcher,
            tags: s.tags,
            restore: current.deletedAt !== null,
          },
          null,
          opts.by,
        );
        // Children are replaced as a whole: their order and content are part of the signature.
        await this.repo.replaceFixes(em, current.id, []);
        await this.repo.replaceNotes(em, current.id, []);
        await this.writeChildren(em, current.id, s, opts.by);
      }
      return summary;
    };
    if (opts.dryRun) return run(this.dataSource);
    return this.dataSource.transaction((em) => run(em));
  }

  private async writeChildren(em: Queryable, id: string, s: BundleSignature, by: string | null) {
    await this.repo.addFixes(em, id, s.fixes, 0);
    await this.repo.addNotes(
      em,
      id,
      s.notes.map((n) => ({ body: n.body, author: n.author ?? by })),
    );
    await this.repo.replaceReferences(em, id, s.references);
    await this.repo.refreshText(em, id);
  }

  /** Statistics for the planner after bulk writes (PGlite runs no autovacuum). */
  async analyze(): Promise<void> {
    await this.dataSource.query(
      'ANALYZE signatures, signature_fixes, signature_notes, signature_references, signature_idents',
    );
  }
}
