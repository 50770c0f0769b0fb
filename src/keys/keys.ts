import { createHash, randomBytes } from 'node:crypto';
import type { ApiKey, Store } from '../store/types.js';

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
  key: ApiKey;
  secret: string;
}

export async function createKey(store: Store, name: string, isAdmin: boolean, secret = generateSecret()): Promise<CreatedKey> {
  const key = keyFor(name, isAdmin, secret);
  await store.keys.insert(key);
  return { key, secret };
}

/** The row of a new key with this secret (stored as its hash). */
function keyFor(name: string, isAdmin: boolean, secret: string): ApiKey {
  return {
    id: newKeyId(),
    name,
    hash: hashSecret(secret),
    prefix: secret.slice(0, 7),
    is_admin: isAdmin,
    created_ms: Date.now(),
    revoked_ms: null,
    balance_usd: null,
    spend_limit_usd: null,
    reserved_usd: 0,
    spent_usd: 0,
    rpm_limit: null,
    webhook_url: null,
    webhook_secret: `whsec_${randomBytes(24).toString('base64')}`,
  };
}

/**
 * Makes sure an admin key exists. A configured VIDGATE_ADMIN_KEY is registered (by hash) if new;
 * with none configured and no admin key stored, one is generated, handed to `announce` (which
 * shows it) and only then stored — a key nobody saw is never stored — and returned. When several
 * nodes start at once on one database, exactly one generates it.
 */
export async function ensureAdminKey(store: Store, configured: string | null, announce: (secret: string) => void = () => {}): Promise<{ generated: string | null }> {
  if (configured !== null) {
    if (!configured.startsWith('sk-') || configured.length < 20) {
      throw new Error('VIDGATE_ADMIN_KEY must start with "sk-" and be at least 20 characters long');
    }
    if (await store.keys.findByHash(hashSecret(configured))) return { generated: null };
    try {
      await createKey(store, 'admin (VIDGATE_ADMIN_KEY)', true, configured);
    } catch (err) {
      // Another node registered the same key a moment ago.
      if (!(await store.keys.findByHash(hashSecret(configured)))) throw err;
    }
    return { generated: null };
  }
  if ((await store.keys.countAdmins()) > 0) return { generated: null };
  // Shown inside the transaction that stores it: a node killed in between stores nothing, and the next one generates a key.
  const secret = generateSecret();
  const stored = await store.keys.insertGenerated(keyFor('admin (generated on first start)', true, secret), () => announce(secret));
  return { generated: stored ? secret : null };
}
