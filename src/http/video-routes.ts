import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, badRequest, modelNotFound } from '../contract/errors.js';
import { newTaskId } from '../contract/ids.js';
import { inferOperation } from '../contract/infer-operation.js';
import { parseVideoRequest } from '../contract/parse-video-request.js';
import { createdView } from '../contract/task-view.js';
import type { VideoRequest } from '../contract/video-request.js';
import { resolveForModel, validateForModel } from '../catalog/rules.js';
import { estimateCostUsd } from '../catalog/pricing.js';
import { lifecycleHeaders } from '../catalog/lifecycle.js';
import type { ModelSpec } from '../catalog/types.js';
import { checkInputUrlSyntax } from '../media/url-guard.js';
import type { TaskRow } from '../store/schema.js';
import type { Gateway } from './gateway.js';

/** Input fields that hold media we (or the upstream) will fetch: each is checked before the 200. */
const MEDIA_FIELDS = ['image_url', 'image', 'image_urls', 'reference_images', 'start_image', 'end_image', 'video_url', 'video_urls', 'audio_url', 'audio_urls'] as const;

function checkMediaInputs(req: VideoRequest, allowPrivate: boolean): void {
  for (const field of MEDIA_FIELDS) {
    const value = req[field];
    if (value === undefined) continue;
    const list = Array.isArray(value) ? value : [value];
    list.forEach((v, i) => {
      const problem = checkInputUrlSyntax(v, allowPrivate);
      if (problem) throw badRequest(Array.isArray(value) ? `${field}[${i}]` : field, `${field}: ${problem}`, 'invalid_url');
    });
  }
  if (req.callback_url !== undefined) {
    const u = req.callback_url;
    const problem = u.startsWith('data:') ? 'must be an https URL' : checkInputUrlSyntax(u, allowPrivate);
    if (problem) throw badRequest('callback_url', `callback_url: ${problem}`, 'invalid_url');
  }
  req.kling_elements?.forEach((el, i) =>
    el.element_input_urls.forEach((u, j) => {
      const problem = checkInputUrlSyntax(u, allowPrivate);
      if (problem) throw badRequest(`kling_elements[${i}].element_input_urls[${j}]`, problem, 'invalid_url');
    }),
  );
}

function channelMissing(spec: ModelSpec, why = `the '${spec.provider}' provider is not built into this gateway yet or has no credentials configured`): ApiError {
  return new ApiError(
    503,
    'all_channels_failed',
    'all_channels_failed',
    `No channel is available for model '${spec.id}': ${why}. See GET /v1/models for models you can use now.`,
    'model',
    { retryable: false, model: spec.id },
  );
}

const IDEMPOTENCY_WINDOW_SECONDS = 24 * 3600;

/** The Idempotency-Key header, if sent; 1–255 visible ASCII characters. */
function idempotencyKey(req: FastifyRequest): string | null {
  const raw = req.headers['idempotency-key'];
  if (raw === undefined) return null;
  if (typeof raw !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(raw)) {
    throw badRequest('Idempotency-Key', 'The Idempotency-Key header must be 1–255 visible ASCII characters (a UUID is a good choice), sent once.', 'invalid_idempotency_key');
  }
  return raw;
}

/** Same request ⇔ same canonical JSON (object keys sorted), whatever the key order on the wire. */
function bodyHash(body: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v;
  return createHash('sha256').update(JSON.stringify(canonical(body))).digest('hex');
}

export function registerVideoRoutes(app: FastifyInstance, gw: Gateway): void {
  app.post('/v1/videos/generations', async (req, reply) => {
    const key = await gw.auth.authenticate(req, reply);
    const parsed = parseVideoRequest(req.body, (r) => inferOperation(r, gw.catalog.get(r.model)?.operations.map((o) => o.operation) ?? []));
    const spec = gw.catalog.get(parsed.model);
    if (!spec) throw modelNotFound(parsed.model, 400, gw.catalog.suggest(parsed.model));
    validateForModel(parsed, spec);
    checkMediaInputs(parsed, gw.config.allowPrivateNetwork);
    if (!gw.channels.has(spec.provider)) throw channelMissing(spec);

    const resolved = resolveForModel(parsed, spec);
    const unavailable = gw.availability?.unavailableReason(spec, resolved.operation);
    if (unavailable) throw channelMissing(spec, unavailable);
    const nowMs = Date.now();
    const row: TaskRow = {
      id: newTaskId(),
      owner_key_id: key.id,
      model: spec.id,
      provider: spec.provider,
      operation: resolved.operation,
      state: 'pending',
      request_json: JSON.stringify(resolved),
      upstream_model: resolved.upstream_model,
      upstream_id: null,
      progress: null,
      error_code: null,
      error_message: null,
      cancelled: 0,
      created: Math.floor(nowMs / 1000),
      updated: Math.floor(nowMs / 1000),
      next_run_at: nowMs,
      lease_owner: null,
      lease_until: null,
      attempts: 0,
      submitted_at: null,
      outputs_json: null,
      video_blob: null,
      video_duration: null,
      video_width: null,
      video_height: null,
      video_has_audio: null,
      estimated_cost_usd: estimateCostUsd(resolved, spec),
      cost_usd: null,
      billing_transaction_id: null,
      // The caller's callback_url wins over the key's default webhook.
      callback_url: parsed.callback_url ?? key.webhook_url,
      completed_at: null,
      output_expired_at: null,
    };
    const idemKey = idempotencyKey(req);
    const hash = idemKey === null ? '' : bodyHash(req.body);
    const outcome = await gw.store.createTask(
      row,
      idemKey === null ? undefined : { record: { owner_key_id: key.id, idem_key: idemKey, body_hash: hash, task_id: row.id, created: row.created }, since: row.created - IDEMPOTENCY_WINDOW_SECONDS },
    );
    if (outcome.kind === 'insufficient_balance') {
      throw new ApiError(402, 'insufficient_balance', 'insufficient_balance', `Insufficient balance: this request is estimated at $${row.estimated_cost_usd} and $${outcome.availableUsd} is available. Top up the key's balance or choose a cheaper model, duration or resolution.`, null, { balance_usd: outcome.availableUsd, estimated_cost_usd: row.estimated_cost_usd });
    }
    if (outcome.kind === 'quota_exceeded') {
      throw new ApiError(402, 'quota_exceeded', 'quota_exceeded', `This key's spend limit would be exceeded: the request is estimated at $${row.estimated_cost_usd} and $${outcome.remainingUsd} of the $${outcome.limitUsd} limit remains. Ask an admin to raise the limit.`, null, { estimated_cost_usd: row.estimated_cost_usd });
    }
    if (outcome.kind === 'replay') {
      if (outcome.idem.body_hash !== hash) {
        throw new ApiError(409, 'invalid_request_error', 'idempotency_key_reused', 'This Idempotency-Key was already used with a different request body in the last 24 hours. Use a new key for a new request.', 'Idempotency-Key');
      }
      const original = await gw.store.getTask(outcome.idem.task_id);
      if (!original) throw new ApiError(409, 'invalid_request_error', 'idempotency_key_reused', 'The task this Idempotency-Key created is no longer available; use a new key.', 'Idempotency-Key');
      reply.header('Idempotent-Replayed', 'true');
      reply.header('X-Task-ID', original.id);
      reply.headers(lifecycleHeaders(spec, nowMs));
      return createdView(original);
    }
    gw.wakeEngine();
    reply.header('X-Task-ID', row.id);
    reply.headers(lifecycleHeaders(spec, nowMs)); // Deprecation / Sunset / Link for a deprecated or retired model
    return createdView(row);
  });
}
