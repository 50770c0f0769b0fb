/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): HMAC-SHA256 over
 * "{webhook-id}.{webhook-timestamp}.{body}" with the base64-decoded part of a `whsec_` secret,
 * sent as "v1,{base64 signature}".
 */
import { createHmac, randomBytes } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';

/** A new per-key signing secret: whsec_ + base64 of 24 random bytes (as keys are created with). */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(24).toString('base64')}`;
}

export { isMessageId, newMessageId } from './webhook-events.js';

function secretKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('webhook secret must start with whsec_');
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  if (key.length === 0) throw new Error('webhook secret is empty');
  return key;
}

/** The webhook-signature value for one message, e.g. "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=". */
export function signMessage(secret: string, messageId: string, timestampSec: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${messageId}.${timestampSec}.${body}`, 'utf8').digest('base64');
  return `v1,${mac}`;
}

/** The three Standard Webhooks headers for one attempt (the timestamp is the attempt's, not the event's). */
export function signedHeaders(secret: string, messageId: string, timestampSec: number, body: string): Record<string, string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestampSec),
    'webhook-signature': signMessage(secret, messageId, timestampSec, body),
  };
}
