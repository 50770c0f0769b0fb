/**
 * How each provider calls back, as the gateway receives it: how a callback proves it is genuine
 * (a per-task token in the URL; a signature where the provider signs), whether its body names an
 * intermediate state (then no poll is needed: only the end of a job is worth one), and what it
 * expects as an answer. Pure: no I/O. Sources: each provider's SOURCES.md, "Callbacks".
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { signMessage } from '../contract/webhook-signature.js';

import type { CallbackReply, InboundCallback } from '../contract/channels.js';

export type { CallbackReply, InboundCallback };

/** Per-task callbacks: the create carries `callback_url` with a token; project webhooks: one signed URL per channel. */
export type CallbackKind = 'per-task' | 'project-webhook';

export interface CallbackProtocol {
  kind: CallbackKind;
  /**
   * Whether the body clearly names a state that is not the end of the job (queued, processing…).
   * Anything else — an end state, or a body we cannot read — is worth a poll.
   */
  intermediate(body: unknown): boolean;
  /** What a genuine callback is answered (2xx stops the provider's retries). */
  accepted: CallbackReply;
  /**
   * The secret its callbacks are signed with, from the channel's credentials (Vidu: the API key) or
   * the project webhook's secret (OpenAI); absent: the protocol does not sign.
   */
  signingSecret?(credentials: Record<string, string>, projectWebhookSecret: string | undefined): string | undefined;
}

/** Signature checks replay windows against this much clock skew either way (as the OpenAI SDK does). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const lower = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : undefined);
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});
const namesOneOf = (status: string | undefined, states: string[]) => status !== undefined && states.includes(status);

const ok: CallbackReply = { status: 200, body: { ok: true } };

const klingCallbacks: CallbackProtocol = { kind: 'per-task', intermediate: (b) => namesOneOf(lower(obj(obj(b).data).task_status ?? obj(b).task_status), ['submitted', 'processing']), accepted: ok };
const arkCallbacks: CallbackProtocol = { kind: 'per-task', intermediate: (b) => namesOneOf(lower(obj(b).status), ['queued', 'running']), accepted: ok };

/** By channel protocol: how each one that can call back does it (Azure OpenAI has no project webhooks for videos). */
export const CALLBACK_PROTOCOLS: Record<string, CallbackProtocol> = {
  // Kling POSTs the task (task_status submitted|processing|succeed|failed) on each status change;
  // read either the bare task or the query envelope's `data`.
  'kling-api-key': klingCallbacks,
  'kling-jwt': klingCallbacks,
  // Vidu POSTs the task (`state`: created|queueing|processing|success|failed), signed.
  vidu: { kind: 'per-task', intermediate: (b) => namesOneOf(lower(obj(b).state ?? obj(b).status), ['created', 'queueing', 'processing']), accepted: ok, signingSecret: (c) => c.VIDU_API_KEY },
  // MiniMax first POSTs {"challenge"} (answered by echoing it), then the query shape (`status`).
  minimax: { kind: 'per-task', intermediate: (b) => namesOneOf(lower(obj(b).status), ['preparing', 'queueing', 'processing']), accepted: { status: 200, body: { status: 'success' } } },
  // Ark POSTs the task object (`status`: queued|running|succeeded|failed|expired|cancelled).
  'byteplus-ark': arkCallbacks,
  'volcengine-ark': arkCallbacks,
  // OpenAI project webhooks: events video.completed / video.failed (Standard Webhooks signatures).
  openai: {
    kind: 'project-webhook',
    intermediate: (b) => !namesOneOf(lower(obj(b).type), ['video.completed', 'video.failed']),
    accepted: ok,
    // A channel's own secret (the sandbox's) or the one OPENAI_WEBHOOK_SECRET names.
    signingSecret: (c, projectWebhookSecret) => c.OPENAI_WEBHOOK_SECRET ?? projectWebhookSecret,
  },
};

/** The MiniMax URL check: {"challenge": x} is answered {"challenge": x}. */
export function challengeOf(body: unknown): string | undefined {
  const c = obj(body).challenge;
  return typeof c === 'string' && c.length <= 512 ? c : undefined;
}

export function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const safeEqual = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * OpenAI's webhook check (the openai SDK's `webhooks.unwrap`): Standard Webhooks, HMAC-SHA256 over
 * "{webhook-id}.{webhook-timestamp}.{body}" with the whsec_ secret, any of the space-separated
 * "v1,<base64>" values, the timestamp within 5 minutes. Returns the webhook-id when it checks out.
 */
export function verifyStandardWebhook(cb: InboundCallback, secret: string, nowSec: number): string | null {
  const id = cb.headers['webhook-id'];
  const ts = cb.headers['webhook-timestamp'];
  const sig = cb.headers['webhook-signature'];
  if (!id || !ts || !sig || !/^\d{1,12}$/.test(ts)) return null;
  const t = Number(ts);
  if (Math.abs(nowSec - t) > SIGNATURE_TOLERANCE_SECONDS) return null;
  const expected = signMessage(secret, id, t, cb.body);
  return sig.split(' ').some((s) => safeEqual(s, expected)) ? id : null;
}

/**
 * Vidu's callback signature: base64(HMAC-SHA256(api key, signing string)), the signing string being
 * "POST\n{path}\n{query}\nvidu\n{Date}\n" then "{Header}:{value}\n" for each header X-HMAC-SIGNED-HEADERS
 * lists. `path`/`query` are those of the callback_url we sent. Returns the nonce when it checks out.
 */
export function verifyViduSignature(cb: InboundCallback, apiKey: string, callbackUrl: URL, nowMs: number): string | null {
  const h = cb.headers;
  const date = h.date;
  const signature = h['x-hmac-signature'];
  const listed = h['x-hmac-signed-headers'];
  if (!date || !signature || !listed || lower(h['x-hmac-algorithm']) !== 'hmac-sha256') return null;
  const sent = Date.parse(date);
  if (!Number.isFinite(sent) || Math.abs(nowMs - sent) > SIGNATURE_TOLERANCE_SECONDS * 1000) return null;
  const names = listed
    .split(';')
    .map((n) => n.trim())
    .filter(Boolean);
  if (!names.some((n) => n.toLowerCase() === 'x-request-nonce')) return null;
  const signed = names.map((n) => `${n}:${h[n.toLowerCase()] ?? ''}\n`).join('');
  const query = callbackUrl.search.replace(/^\?/, '');
  const text = `POST\n${callbackUrl.pathname || '/'}\n${query}\nvidu\n${date}\n${signed}`;
  const expected = createHmac('sha256', apiKey).update(text, 'utf8').digest('base64');
  return safeEqual(signature, expected) ? (h['x-request-nonce'] ?? null) : null;
}
