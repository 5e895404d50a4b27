// Secrets at rest (webhook source and subscription secrets): AES-256-GCM with a 32-byte key.
// A stored value is `enc:v1:<key id>:<iv>:<tag>:<ciphertext>` (base64url parts). The key id
// lets several keys be configured at once (CRASHKB_SECRET_KEY=new,old): the first encrypts,
// any of them decrypts, which is what a rotation without downtime needs. The associated data
// names the row (`webhook_sources:<name>`, `subscriptions:<id>`), so a ciphertext copied onto
// another row does not decrypt.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export const ENCRYPTED_PREFIX = 'enc:v1:';

export class SecretKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretKeyError';
  }
}

/** Reads one key: 64 hex characters or the base64/base64url of 32 bytes. */
export function parseSecretKey(text: string): Buffer | null {
  const s = text.trim();
  if (/^[0-9a-f]{64}$/i.test(s)) return Buffer.from(s, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(s)) {
    const b = Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (b.length === 32) return b;
  }
  return null;
}

export function newSecretKey(): string {
  return randomBytes(32).toString('hex');
}

export function keyId(key: Buffer): string {
  return createHash('sha256').update('crashkb-secret-key-id\0').update(key).digest('hex').slice(0, 12);
}

export function isEncrypted(stored: string): boolean {
  return stored.startsWith(ENCRYPTED_PREFIX);
}

/** The key id a stored value was encrypted with, or null for plain text. */
export function storedKeyId(stored: string): string | null {
  return isEncrypted(stored) ? (stored.slice(ENCRYPTED_PREFIX.length).split(':')[0] ?? null) : null;
}

export class SecretBox {
  private readonly keys = new Map<string, Buffer>();
  readonly currentKeyId: string;

  /** `keys[0]` encrypts; every key decrypts what it encrypted. */
  constructor(keys: Buffer[]) {
    if (keys.length === 0) throw new SecretKeyError('at least one key is needed');
    for (const k of keys) {
      if (k.length !== 32) throw new SecretKeyError('a key is 32 bytes');
      this.keys.set(keyId(k), k);
    }
    this.currentKeyId = keyId(keys[0]);
  }

  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `${ENCRYPTED_PREFIX}${this.currentKeyId}:${iv.toString('base64url')}:${tag.toString('base64url')}:${ct.toString('base64url')}`;
  }

  /** Throws SecretKeyError when the value is not ours to read (unknown key, tampered, wrong row). */
  decrypt(stored: string, context: string): string {
    if (!isEncrypted(stored)) throw new SecretKeyError('the value is not encrypted');
    const [kid, iv, tag, ct] = stored.slice(ENCRYPTED_PREFIX.length).split(':');
    const key = this.keys.get(kid ?? '');
    if (!key) {
      throw new SecretKeyError(
        `encrypted with key ${kid}, which is not among the configured keys (${this.keyIds.join(', ')})`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv ?? '', 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag ?? '', 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct ?? '', 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new SecretKeyError('the stored secret does not decrypt (tampered, or stored for another row)');
    }
  }

  /** True when the stored value needs re-encrypting with the current key (plain text or an older key). */
  needsRewrap(stored: string): boolean {
    return storedKeyId(stored) !== this.currentKeyId;
  }
}
