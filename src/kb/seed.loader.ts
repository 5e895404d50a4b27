// Loads the curated seed knowledge base (seed/signatures/<key>/signature.json + example.txt)
// at start-up unless CRASHKB_SEED=0. The matcher is derived from the example dump with the
// same parser and deriveMatcher the service uses; signature.json's `matcher` fields override.
// It goes through the import path, so loading twice changes nothing.
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseDump } from '../core/parse';
import { deriveMatcher } from '../core/signature';
import type { SignatureMatcher } from '../core/types';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ValidationFailed } from '../http/validation';
import { ImportExportService, fromDto } from './import-export.service';
import { BundleSignatureDto } from './kb.dto';
import type { BundleSignature, ImportSummary } from './kb.types';
import { validateFields } from '../http/validate-fields';

/**
 * The seed directory: found by walking up from this file (dist/src/kb in a build, src/kb under
 * ts-node, /app/dist/src/kb in the image where the Dockerfile copies seed/ to /app/seed).
 */
export function findSeedDir(start = __dirname): string | null {
  let dir = start;
  for (;;) {
    const candidate = join(dir, 'seed', 'signatures');
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  const cwd = join(process.cwd(), 'seed', 'signatures');
  return existsSync(cwd) ? cwd : null;
}

export interface SeedReadResult {
  signatures: BundleSignature[];
  /** Folders that were skipped, with the reason. */
  skipped: { folder: string; reason: string }[];
}

/** Reads and validates every seed folder; a malformed one is reported, never fatal. */
export function readSeed(dir: string): SeedReadResult {
  const signatures: BundleSignature[] = [];
  const skipped: { folder: string; reason: string }[] = [];
  const keys = new Set<string>();
  for (const folder of readdirSync(dir).sort()) {
    const path = join(dir, folder);
    if (!statSync(path).isDirectory()) continue;
    try {
      const raw = JSON.parse(readFileSync(join(path, 'signature.json'), 'utf8')) as Record<string, unknown>;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('not a JSON object');
      const examplePath = join(path, 'example.txt');
      let derived: Partial<SignatureMatcher> = {};
      if (existsSync(examplePath)) {
        const parsed = parseDump(readFileSync(examplePath, 'utf8'));
        if (parsed.kind !== 'unknown') derived = deriveMatcher(parsed);
      }
      const overrides =
        typeof raw.matcher === 'object' && raw.matcher !== null
          ? (raw.matcher as Partial<SignatureMatcher>)
          : {};
      const matcher = { ...derived, ...overrides, frames: overrides.frames ?? derived.frames ?? [] };
      // Seed files carry `sources` and may carry fields this version does not store: ignore those.
      const dto = validateFields(
        BundleSignatureDto,
        { ...raw, key: raw.key ?? folder, matcher },
        { forbidUnknown: false },
      );
      if (keys.has(dto.key)) throw new Error(`key "${dto.key}" is used by another seed folder`);
      keys.add(dto.key);
      signatures.push(fromDto(dto));
    } catch (err) {
      const reason =
        err instanceof ValidationFailed
          ? err.fieldErrors.map((f) => `${f.field}: ${f.messages.join('; ')}`).join(' | ')
          : err instanceof Error
            ? err.message
            : String(err);
      skipped.push({ folder, reason: reason.slice(0, 500) });
    }
  }
  return { signatures, skipped };
}

@Injectable()
export class SeedLoader implements OnModuleInit {
  private readonly logger = new Logger('Seed');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly importer: ImportExportService,
  ) {}

  // At module init, so the seed is in before the match index loads (at bootstrap) and before
  // the service answers its first request.
  async onModuleInit(): Promise<void> {
    if (!this.config.seed) return;
    await this.load();
  }

  /** Loads the seed; returns the import summary (null when there is no seed directory). */
  async load(dir: string | null = findSeedDir()): Promise<ImportSummary | null> {
    if (!dir) {
      this.logger.warn('no seed/signatures directory found: starting without the seed knowledge base');
      return null;
    }
    const { signatures, skipped } = readSeed(dir);
    for (const s of skipped) this.logger.warn(`seed folder ${s.folder} skipped: ${s.reason}`);
    let summary: ImportSummary;
    try {
      summary = await this.importer.importSignatures(signatures, { dryRun: false, by: 'seed' });
    } catch (err) {
      // One bad entry must not keep the service down; the rest of the seed is still worth having.
      this.logger.error(
        `loading the seed as one batch failed (${(err as Error).message}); trying one by one`,
      );
      summary = { created: 0, updated: 0, unchanged: 0, dryRun: false, keys: { created: [], updated: [] } };
      for (const s of signatures) {
        try {
          const r = await this.importer.importSignatures([s], { dryRun: false, by: 'seed' });
          summary.created += r.created;
          summary.updated += r.updated;
          summary.unchanged += r.unchanged;
          summary.keys.created.push(...r.keys.created);
          summary.keys.updated.push(...r.keys.updated);
        } catch (e) {
          this.logger.warn(`seed signature ${s.key} skipped: ${(e as Error).message}`);
        }
      }
    }
    if (summary.created + summary.updated > 0) await this.importer.analyze();
    this.logger.log(
      `seed knowledge base: ${signatures.length} signatures read (${summary.created} created, ` +
        `${summary.updated} updated, ${summary.unchanged} unchanged), ${skipped.length} folders skipped`,
    );
    return summary;
  }
}
