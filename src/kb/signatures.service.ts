// Use cases of the knowledge base: create, read, update with optimistic concurrency, soft
// delete and restore, fixes and notes, derive-from-dump, and the feed the match index reads.
// This service owns the transactions; everything inside one runs on its EntityManager.
import {
  BadRequestException,
  ConflictException,
  Injectable,
  NotFoundException,
  PreconditionFailedException,
  HttpException,
  HttpStatus,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { parseDump } from '../core/parse';
import { deriveMatcher, derivable, signatureKey } from '../core/signature';
import type { Fix, SignatureMatcher } from '../core/types';
import type { SignatureChange, SignatureFeed, SignatureFromDumpWriter } from '../crash/signature-feed';
import { CreateSignatureDto, FromDumpFieldsDto, UpdateSignatureDto } from './kb.dto';
import type { IndexFeed, Reference, SignatureView } from './kb.types';
import { validateFields } from '../http/validate-fields';
import { checkMatcher, normalizeMatcher } from './matcher';
import { SignaturesRepository, type Queryable, type SearchFilters } from './signatures.repository';

const UNIQUE_VIOLATION = '23505';

export function cleanFix(f: Fix): Fix {
  return {
    kind: f.kind,
    ref: f.ref,
    url: f.url ?? null,
    description: f.description ?? null,
    fixedIn: f.fixedIn ?? null,
  };
}

export function cleanReference(r: Reference): Reference {
  return { kind: r.kind, url: r.url ?? null, title: r.title ?? null };
}

/** Tags compare as a set: trimmed, de-duplicated, in first-seen order. */
export function cleanTags(tags: string[] | undefined): string[] {
  return [...new Set((tags ?? []).map((t) => t.trim()).filter((t) => t.length > 0))];
}

@Injectable()
export class SignaturesService implements SignatureFeed, SignatureFromDumpWriter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: SignaturesRepository,
  ) {}

  async create(dto: CreateSignatureDto, by: string | null): Promise<SignatureView> {
    const matcher = normalizeMatcher(dto.matcher);
    checkMatcher(matcher);
    if (dto.status === 'duplicate' && !dto.duplicateOf) {
      throw new BadRequestException(
        'duplicateOf: a signature with status "duplicate" must name the one it duplicates',
      );
    }
    const key = dto.key ?? signatureKey(dto.title, matcher);
    const id = await this.dataSource
      .transaction(async (em) => {
        if (await this.repo.keyExists(em, key)) {
          throw new ConflictException(`a signature with key "${key}" already exists`);
        }
        if (dto.duplicateOf) await this.requireLive(em, dto.duplicateOf, 'duplicateOf');
        const id = await this.insertOn(em, key, dto, matcher, by);
        return id;
      })
      .catch(rethrowUnique(key));
    return this.get(id);
  }

  /** Inserts a signature with its children on an open transaction (create, from-dump). */
  private async insertOn(
    em: Queryable,
    key: string,
    dto: Omit<CreateSignatureDto, 'key' | 'matcher'>,
    matcher: SignatureMatcher,
    by: string | null,
  ): Promise<string> {
    const id = await this.repo.insert(
      em,
      {
        key,
        title: dto.title.trim(),
        kind: dto.kind,
        status: dto.status ?? 'open',
        duplicateOf: dto.duplicateOf ?? null,
        summary: dto.summary ?? '',
        matcher,
        tags: cleanTags(dto.tags),
      },
      by,
    );
    const fixes = (dto.fixes ?? []).map(cleanFix);
    const notes = (dto.notes ?? []).map((body) => ({ body, author: by }));
    const refs = (dto.references ?? []).map(cleanReference);
    await this.repo.addFixes(em, id, fixes, 0);
    await this.repo.addNotes(em, id, notes);
    await this.repo.replaceReferences(em, id, refs);
    if (fixes.length + notes.length + refs.length > 0) await this.repo.refreshText(em, id);
    return id;
  }

  async get(id: string): Promise<SignatureView> {
    const [one] = await this.repo.findByIds(this.dataSource, [id]);
    if (!one) throw new NotFoundException(`no signature ${id}`);
    return one;
  }

  list(filters: SearchFilters): Promise<{ items: SignatureView[]; total: number }> {
    return this.repo.search(this.dataSource, filters);
  }

  /** Partial update; `version` (body or If-Match) must be the current one. */
  async update(
    id: string,
    dto: UpdateSignatureDto,
    ifMatch: number | null,
    by: string | null,
  ): Promise<SignatureView> {
    const version = dto.version ?? ifMatch;
    if (version === null || version === undefined) {
      throw new HttpException(
        'version: send the version you read (in the body or as an If-Match header) so a concurrent edit is not overwritten',
        HttpStatus.PRECONDITION_REQUIRED,
      );
    }
    if (dto.version !== undefined && ifMatch !== null && dto.version !== ifMatch) {
      throw new PreconditionFailedException(
        `the body says version ${dto.version} but If-Match says ${ifMatch}; send one`,
      );
    }
    let matcher: SignatureMatcher | undefined;
    if (dto.matcher) {
      matcher = normalizeMatcher(dto.matcher);
      checkMatcher(matcher);
    }
    await this.dataSource.transaction(async (em) => {
      const state = await this.repo.state(em, id);
      if (!state || state.deleted) throw new NotFoundException(`no signature ${id}`);
      if (dto.duplicateOf) {
        if (dto.duplicateOf === id)
          throw new BadRequestException('duplicateOf: a signature cannot duplicate itself');
        await this.requireLive(em, dto.duplicateOf, 'duplicateOf');
      }
      const updated = await this.repo.update(
        em,
        id,
        {
          title: dto.title?.trim(),
          kind: dto.kind,
          status: dto.status,
          duplicateOf: dto.duplicateOf,
          summary: dto.summary,
          matcher,
          tags: dto.tags ? cleanTags(dto.tags) : undefined,
        },
        version,
        by,
      );
      if (updated === null) {
        throw new ConflictException(
          `signature ${id} was changed by someone else: it is at version ${state.version}, you sent ${version}; ` +
            're-read it and apply your change again',
        );
      }
      if (dto.fixes) await this.repo.replaceFixes(em, id, dto.fixes.map(cleanFix));
      if (dto.references) await this.repo.replaceReferences(em, id, dto.references.map(cleanReference));
      if (dto.fixes || dto.references) await this.repo.refreshText(em, id);
    });
    return this.get(id);
  }

  async remove(id: string, by: string | null): Promise<void> {
    const done = await this.dataSource.transaction((em) => this.repo.softDelete(em, id, by));
    if (!done) throw new NotFoundException(`no signature ${id}`);
  }

  async restore(id: string, by: string | null): Promise<SignatureView> {
    await this.dataSource.transaction(async (em) => {
      const state = await this.repo.state(em, id);
      if (!state) throw new NotFoundException(`no signature ${id}`);
      if (state.deleted) await this.repo.update(em, id, { restore: true }, null, by);
    });
    return this.get(id);
  }

  async addFix(id: string, fix: Fix, by: string | null): Promise<SignatureView> {
    await this.dataSource.transaction(async (em) => {
      await this.requireLive(em, id);
      await this.repo.addFixes(em, id, [cleanFix(fix)], null);
      await this.repo.touch(em, id, by);
    });
    return this.get(id);
  }

  async removeFix(id: string, fixId: string, by: string | null): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await this.requireLive(em, id);
      if (!(await this.repo.deleteFix(em, id, fixId))) {
        throw new NotFoundException(`signature ${id} has no fix ${fixId}`);
      }
      await this.repo.touch(em, id, by);
    });
  }

  async addNote(id: string, body: string, by: string | null): Promise<SignatureView> {
    await this.dataSource.transaction(async (em) => {
      await this.requireLive(em, id);
      await this.repo.addNotes(em, id, [{ body, author: by }]);
      await this.repo.touch(em, id, by);
    });
    return this.get(id);
  }

  async removeNote(id: string, noteId: string, by: string | null): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await this.requireLive(em, id);
      if (!(await this.repo.deleteNote(em, id, noteId))) {
        throw new NotFoundException(`signature ${id} has no note ${noteId}`);
      }
      await this.repo.touch(em, id, by);
    });
  }

  /**
   * Derives a signature from a dump: the parser's title and kind, deriveMatcher's frames and
   * indicators, and whatever the caller adds (title, fixes, notes, tags).
   */
  async fromDump(
    content: string,
    fields: Record<string, unknown>,
    by: string | null,
  ): Promise<SignatureView> {
    const input = validateFields(FromDumpFieldsDto, fields);
    const parsed = parseDump(content);
    // Every report with a title gives a signature (one without frames a title- and kind-only
    // matcher that weighs little); only a dump in which no crash report has a title cannot.
    const refused = derivable(parsed);
    if (refused !== null) {
      const why = parsed.notes.length > 0 ? ` (${parsed.notes.slice(0, 3).join('; ')})` : '';
      throw new BadRequestException(
        `content: ${refused}, so there is nothing to derive a signature from${why}`,
      );
    }
    const matcher = normalizeMatcher(deriveMatcher(parsed));
    checkMatcher(matcher, 'content');
    const named = parsed.title ?? parsed.reports.find((r) => r.title)?.title ?? null;
    const title =
      input.title ?? named ?? `${parsed.headline ?? parsed.kind} in ${matcher.frames[0] ?? 'unknown'}`;
    const key = input.key ?? signatureKey(title, matcher);
    const id = await this.dataSource
      .transaction(async (em) => {
        if (await this.repo.keyExists(em, key)) {
          throw new ConflictException(
            `a signature with key "${key}" already exists (the same bug was probably stored before); ` +
              'send another title or key to store it anyway',
          );
        }
        return this.insertOn(
          em,
          key,
          {
            title,
            kind: parsed.kind,
            status: input.status,
            summary: input.summary,
            tags: input.tags,
            fixes: input.fixes,
            notes: input.notes,
            references: input.references,
          },
          matcher,
          by,
        );
      })
      .catch(rethrowUnique(key));
    return this.get(id);
  }

  /** SIGNATURE_WRITER for bucket promotion (the crash module). */
  async createFromDump(
    content: string,
    input: { title?: string; fixes?: unknown[]; notes?: string[]; tags?: string[] },
    author: string,
  ): Promise<{ id: string; title: string; key: string }> {
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(input)) if (v !== undefined) fields[k] = v;
    const s = await this.fromDump(content, fields, author);
    return { id: s.id, title: s.title, key: s.key };
  }

  /**
   * SIGNATURE_FEED for the match index: rows with change_seq > seq (all live rows when seq is
   * null), deleted ones flagged. Runs under a SHARE lock on signatures: it waits for writers in
   * flight and holds new ones back for the few milliseconds it runs, so no transaction can
   * commit a change_seq lower than the maxSeq returned here afterwards (sequence values are
   * taken at write time, not at commit time, and a poller would skip such a row forever).
   */
  async changesSince(seq: string | null): Promise<IndexFeed & { rows: SignatureChange[] }> {
    if (seq !== null && !/^\d{1,19}$/.test(seq)) throw new BadRequestException(`invalid sequence "${seq}"`);
    // The common poll finds nothing new: one index-only read, no lock, no transaction. (The
    // embedded database runs on this thread, so an idle poll must cost next to nothing.) A
    // row committed later with a higher number is seen by the next poll; only when something
    // is new do we pay for the locked read below.
    if (seq !== null && (await this.repo.maxSeq(this.dataSource.manager)) === seq)
      return { maxSeq: seq, rows: [] };
    return this.dataSource.transaction(async (em) => {
      await em.query('LOCK TABLE signatures IN SHARE MODE');
      const changes = await this.repo.changesSince(em, seq);
      const maxSeq = seq === null ? await this.repo.maxSeq(em) : (changes.at(-1)?.seq ?? seq);
      return { maxSeq, rows: changes.map((c) => c.row) };
    });
  }

  private async requireLive(em: Queryable, id: string, field?: string): Promise<void> {
    const state = await this.repo.state(em, id);
    if (!state || state.deleted) {
      if (field) throw new BadRequestException(`${field}: no signature ${id}`);
      throw new NotFoundException(`no signature ${id}`);
    }
  }
}

/** Two concurrent creates with one key: the loser gets the same 409 as a sequential one. */
function rethrowUnique(key: string) {
  return (err: unknown): never => {
    const e = err as { code?: string; driverError?: { code?: string } };
    if ((e?.code ?? e?.driverError?.code) === UNIQUE_VIOLATION) {
      throw new ConflictException(`a signature with key "${key}" already exists`);
    }
    throw err;
  };
}
