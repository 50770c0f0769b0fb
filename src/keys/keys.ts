import { createHash, randomBytes } from 'node:crypto';
import type { ApiKeyRow } from '../store/schema.js';
import type { Store } from '../store/types.js';

/** API keys look like OpenAI/TokenLab ones: `sk-` + 48 hex characters. */
export function generateSecret(): string {
  return `sk-${randomBytes(24).toString('hex')}`;
}

/**
 * Keys are stored as sha256 only. Lookup is by hash, so comparing secrets never happens
 * character by character: timing reveals nothing about the secret.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function newKeyId(): string {
  return `key_${randomBytes(8).toString('hex')}`;
}

export interface CreatedKey {
  row: ApiKeyRow;
  secret: string;
}

export async function createKey(store: Store, name: string, isAdmin: boolean, secret = generateSecret()): Promise<CreatedKey> {
  const row: ApiKeyRow = {
    id: newKeyId(),
    name,
    hash: hashSecret(secret),
    prefix: secret.slice(0, 7),
    is_admin: isAdmin ? 1 : 0,
    created: Math.floor(Date.now() / 1000),
    revoked: null,
    balance_usd: null,
    spend_limit_usd: null,
    reserved_usd: 0,
    spent_usd: 0,
    rpm_limit: null,
    webhook_url: null,
    webhook_secret: `whsec_${randomBytes(24).toString('base64')}`,
  };
  await store.insertKey(row);
  return { row, secret };
}

/**
 * Makes sure an admin key exists. A configured VIDGATE_ADMIN_KEY is registered (by hash) if new;
 * with none configured and no admin key stored, one is generated, handed to `announce` (which
 * shows it) and only then stored — a key nobody saw is never stored — and returned.
 */
export async function ensureAdminKey(store: Store, configured: string | null, announce: (secret: string) => void = () => {}): Promise<{ generated: string | null }> {
  if (configured !== null) {
    if (!configured.startsWith('sk-') || configured.length < 20) {
      throw new Error('VIDGATE_ADMIN_KEY must start with "sk-" and be at least 20 characters long');
    }
    const existing = await store.findKeyByHash(hashSecret(configured));
    if (!existing) await createKey(store, 'admin (VIDGATE_ADMIN_KEY)', true, configured);
    return { generated: null };
  }
  if ((await store.countAdminKeys()) > 0) return { generated: null };
  const secret = generateSecret();
  announce(secret);
  await createKey(store, 'admin (generated on first start)', true, secret);
  return { generated: secret };
}
