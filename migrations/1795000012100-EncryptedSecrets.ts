import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook source secrets move to `secret_enc` (AES-256-GCM, see src/secrets). SQL cannot
 * encrypt without the key, which lives outside the database on purpose, so this only makes
 * room: at the next start the service encrypts every plain-text `secret` into `secret_enc`
 * and clears `secret` (SecretsService.onModuleInit; `crashkb secrets rotate` does the same).
 * `secret` stays nullable for those old rows; new rows never fill it.
 */
export class EncryptedSecrets1795000012100 implements MigrationInterface {
  name = 'EncryptedSecrets1795000012100';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_sources ADD COLUMN secret_enc text`);
    await q.query(`ALTER TABLE webhook_sources ALTER COLUMN secret DROP NOT NULL`);
    await q.query(
      `ALTER TABLE webhook_sources ADD CONSTRAINT webhook_sources_secret_kept CHECK (secret IS NOT NULL OR secret_enc IS NOT NULL)`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    // Encrypted secrets cannot go back to plain text here: such sources must be registered again.
    await q.query(`DELETE FROM webhook_sources WHERE secret IS NULL`);
    await q.query(`ALTER TABLE webhook_sources DROP CONSTRAINT webhook_sources_secret_kept`);
    await q.query(`ALTER TABLE webhook_sources ALTER COLUMN secret SET NOT NULL`);
    await q.query(`ALTER TABLE webhook_sources DROP COLUMN secret_enc`);
  }
}
