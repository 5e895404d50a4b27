import { ConflictException, Global, Inject, Injectable, Logger, Module, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { isEncrypted, SecretBox, SecretKeyError } from './secret-box';
import { resolveSecretKeys, type KeySource } from './secret-keys';
import { rewrapSecrets, secretContext, unreadableSecrets } from './rewrap';

export { secretContext };

/** Seals and opens the secrets the service stores (webhook sources, subscriptions). */
@Injectable()
export class SecretsService implements OnModuleInit {
  private readonly logger = new Logger('Secrets');
  private readonly box: SecretBox | null;
  readonly keySource: KeySource;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly ds: DataSource,
  ) {
    const resolved = resolveSecretKeys(config);
    this.box = resolved.box;
    this.keySource = resolved.source;
  }

  /** Secrets left in plain text by an older version are encrypted before anything reads them. */
  async onModuleInit(): Promise<void> {
    if (!this.box) {
      const [{ n }] = await this.ds.query(
        `SELECT count(*)::int AS n FROM webhook_sources WHERE secret IS NOT NULL`,
      );
      if (n > 0) {
        this.logger.warn(
          `${n} webhook source secret(s) are stored in plain text: set CRASHKB_SECRET_KEY to have them encrypted`,
        );
      }
      return;
    }
    const box = this.box;
    const report = await this.ds.transaction((em) => rewrapSecrets(em, box, 'plaintext-only'));
    if (report.encrypted > 0) this.logger.log(`encrypted ${report.encrypted} secret(s) stored in plain text`);
    const unreadable = await unreadableSecrets(this.ds, box);
    if (unreadable.length > 0) {
      this.logger.error(
        `secrets encrypted with a key that is not configured (set CRASHKB_SECRET_KEY to include it, or register them again): ${unreadable.join('; ')}`,
      );
    }
  }

  get canStore(): boolean {
    return this.box !== null;
  }

  /** Encrypts a secret for one row; 409 when the service has no key to do it with. */
  seal(plaintext: string, context: string): string {
    if (!this.box) {
      throw new ConflictException(
        'secrets cannot be stored: with DATABASE_URL the service needs CRASHKB_SECRET_KEY (32 bytes, e.g. `openssl rand -hex 32`) to encrypt them',
      );
    }
    return this.box.encrypt(plaintext, context);
  }

  /**
   * The plain secret of one row: `enc` when encrypted, else the legacy plain-text column.
   * Throws SecretKeyError when no configured key opens it.
   */
  open(enc: string | null, legacyPlain: string | null, context: string): string {
    if (enc !== null && isEncrypted(enc)) {
      if (!this.box) throw new SecretKeyError('the secret is encrypted but CRASHKB_SECRET_KEY is not set');
      return this.box.decrypt(enc, context);
    }
    if (legacyPlain !== null) return legacyPlain;
    throw new SecretKeyError('no secret stored');
  }
}

@Global()
@Module({ providers: [SecretsService], exports: [SecretsService] })
export class SecretsModule {}
