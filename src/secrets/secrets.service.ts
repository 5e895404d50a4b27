import { ConflictException, Global, Inject, Injectable, Logger, Module, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { isEncrypted, SecretBox, SecretKeyError } from './secret-box';
import { resolveSecretKeys, secretKeyFile, type KeySource } from './secret-keys';
import { rewrapSecrets, secretContext, unreadableSecrets } from './rewrap';

export { secretContext };

/** Seals and opens the secrets the service stores (webhook sources, subscriptions). */
@Injectable()
export class SecretsService implements OnModuleInit {
  private readonly logger = new Logger('Secrets');
  private box: SecretBox | null;
  readonly keySource: KeySource;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly ds: DataSource,
  ) {
    const resolved = resolveSecretKeys(config, false);
    this.box = resolved.box;
    this.keySource = resolved.source;
  }

  /** The key ring; a key file is generated on first need (`create`) or read when another process made it. */
  private keys(create: boolean): SecretBox | null {
    if (!this.box && this.keySource === 'key-file') this.box = resolveSecretKeys(this.config, create).box;
    return this.box;
  }

  /** Secrets left in plain text by an older version are encrypted before anything reads them. */
  async onModuleInit(): Promise<void> {
    const [{ plain }] = await this.ds.query(
      `SELECT count(*)::int AS plain FROM webhook_sources WHERE secret IS NOT NULL`,
    );
    const box = this.keys(plain > 0);
    if (!box) {
      if (this.keySource === 'key-file') {
        // No key file and nothing in plain text: either nothing is stored yet (no key made for
        // nothing), or the key file was lost and the stored secrets cannot be opened.
        const [{ sealed }] = await this.ds.query(
          `SELECT (SELECT count(*) FROM webhook_sources WHERE secret_enc IS NOT NULL)
                + (SELECT count(*) FROM subscriptions) AS sealed`,
        );
        if (Number(sealed) > 0) {
          this.logger.error(
            `${sealed} stored secret(s) are encrypted but the key file ${secretKeyFile(this.config.dataDir)} is missing: restore it or register the sources and subscriptions again`,
          );
        }
        return;
      }
      if (plain > 0) {
        this.logger.warn(
          `${plain} webhook source secret(s) are stored in plain text: set CRASHKB_SECRET_KEY to have them encrypted`,
        );
      }
      return;
    }
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
    return this.keySource !== 'none';
  }

  /** Encrypts a secret for one row; 409 when the service has no key to do it with. */
  seal(plaintext: string, context: string): string {
    const box = this.keys(true);
    if (!box) {
      throw new ConflictException(
        'secrets cannot be stored: with DATABASE_URL the service needs CRASHKB_SECRET_KEY (32 bytes, e.g. `openssl rand -hex 32`) to encrypt them',
      );
    }
    return box.encrypt(plaintext, context);
  }

  /**
   * The plain secret of one row: `enc` when encrypted, else the legacy plain-text column.
   * Throws SecretKeyError when no configured key opens it.
   */
  open(enc: string | null, legacyPlain: string | null, context: string): string {
    if (enc !== null && isEncrypted(enc)) {
      const box = this.keys(false);
      if (!box) {
        throw new SecretKeyError(
          this.keySource === 'key-file'
            ? `the secret is encrypted but the key file ${secretKeyFile(this.config.dataDir)} is missing`
            : 'the secret is encrypted but CRASHKB_SECRET_KEY is not set',
        );
      }
      return box.decrypt(enc, context);
    }
    if (legacyPlain !== null) return legacyPlain;
    throw new SecretKeyError('no secret stored');
  }
}

@Global()
@Module({ providers: [SecretsService], exports: [SecretsService] })
export class SecretsModule {}
