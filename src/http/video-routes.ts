import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, badRequest } from '../contract/errors.js';
import type { CreateResult } from '../tasks/service.js';
import { createdView } from '../tasks/view.js';
import type { ApiKey, Task } from '../store/types.js';
import { callerKey } from './auth.js';
import type { Gateway } from './gateway.js';
import { taskHeaders } from './read-headers.js';

/** The Idempotency-Key header, if sent; 1–255 visible ASCII characters. */
export function idempotencyKey(req: FastifyRequest): string | null {
  return checkedIdempotencyKey(req.headers['idempotency-key']);
}

/** An Idempotency-Key header's value as sent (undefined: none), checked. */
export function checkedIdempotencyKey(raw: string | string[] | undefined): string | null {
  if (raw === undefined) return null;
  if (typeof raw !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(raw)) {
    throw badRequest('Idempotency-Key', 'The Idempotency-Key header must be 1–255 visible ASCII characters (a UUID is a good choice), sent once.', 'invalid_idempotency_key');
  }
  return raw;
}

/** A create that did not make (or replay) a task, as a TokenLab error envelope. */
function createRefusal(result: Exclude<CreateResult, { kind: 'created' }>): ApiError {
  switch (result.kind) {
    case 'insufficient_balance':
      return new ApiError(
        402,
        'insufficient_balance',
        'insufficient_balance',
        `Insufficient balance: this request is estimated at $${result.estimatedUsd} and $${result.availableUsd} is available. Top up the key's balance or choose a cheaper model, duration or resolution.`,
        null,
        { balance_usd: result.availableUsd, estimated_cost_usd: result.estimatedUsd },
      );
    case 'quota_exceeded':
      return new ApiError(
        402,
        'quota_exceeded',
        'quota_exceeded',
        `This key's spend limit would be exceeded: the request is estimated at $${result.estimatedUsd} and $${result.remainingUsd} of the $${result.limitUsd} limit remains. Ask an admin to raise the limit.`,
        null,
        { estimated_cost_usd: result.estimatedUsd },
      );
    case 'idempotency_conflict':
      return result.reason === 'body_differs'
        ? new ApiError(
            409,
            'invalid_request_error',
            'idempotency_key_reused',
            'This Idempotency-Key was already used with a different request in the last 24 hours (key order, aliases and null fields do not count). Use a new key for a new request.',
            'Idempotency-Key',
          )
        : new ApiError(409, 'invalid_request_error', 'idempotency_key_reused', 'The task this Idempotency-Key created is no longer available; use a new key.', 'Idempotency-Key');
    case 'no_channel':
      return new ApiError(503, 'all_channels_failed', 'all_channels_failed', `No channel is available for model '${result.model}': ${result.reason} See GET /v1/models for models you can use now.`, 'model', {
        retryable: false,
        model: result.model,
      });
  }
}

/**
 * A create, as every door answers it (this route, the create read off the socket:
 * socket-creates.ts, and the OpenAI-compatible POST /v1/videos): the task made or replayed, and the
 * headers its answer carries (Idempotent-Replayed on a replay, X-Task-ID, the model's
 * Deprecation / Sunset / Link). Each door renders the task its own way. Refusals and invalid input
 * throw the contract's errors.
 */
export async function createVideoTask(gw: Gateway, key: ApiKey, body: unknown, idem: string | null): Promise<{ task: Task; headers: Record<string, string> }> {
  const result = await gw.tasks.create(key, body, idem);
  if (result.kind !== 'created') throw createRefusal(result);
  const headers = taskHeaders(gw, result.task);
  return { task: result.task, headers: result.replayed ? { 'idempotent-replayed': 'true', ...headers } : headers };
}

export function registerVideoRoutes(app: FastifyInstance, gw: Gateway): void {
  app.post('/v1/videos/generations', { config: { auth: 'key', createsTask: true }, bodyLimit: gw.config.maxBodyBytes }, async (req, reply) => {
    const created = await createVideoTask(gw, callerKey(req), req.body, idempotencyKey(req));
    reply.headers(created.headers);
    return createdView(created.task);
  });
}
