import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, badRequest } from '../contract/errors.js';
import { isMessageId } from '../contract/webhook-events.js';
import type { Delivery } from '../tasks/accounts.js';
import { callerKey } from './auth.js';
import { pageLimit, queryValue } from './request-parsing.js';
import { webhookUrlProblem } from './webhook-url.js';
import type { Gateway } from './gateway.js';

type IdParams = { Params: { id: string } };
type ListQuery = { Querystring: Record<string, unknown> };

function deliveryNotFound(): ApiError {
  return new ApiError(404, 'not_found_error', 'webhook_delivery_not_found', 'Webhook delivery not found. List yours with GET /v1/webhooks/deliveries.', 'id');
}

/** One event and its attempts as the delivery log shows it. The id is the webhook-id header. */
function deliveryView({ event: e, attempts }: Delivery): Record<string, unknown> {
  return {
    id: e.id,
    object: 'webhook.delivery',
    event_type: e.event_type,
    task_id: e.task_id,
    url: e.url,
    status: e.status,
    created: Math.floor(e.created_ms / 1000),
    delivered_at: e.delivered_ms === null ? null : Math.floor(e.delivered_ms / 1000),
    next_attempt_at: e.next_attempt_ms === null ? null : Math.ceil(e.next_attempt_ms / 1000),
    attempt_count: e.attempt_count,
    last_response_status: e.last_response_status,
    last_error: e.last_error,
    attempts: attempts.map((a) => ({
      attempt: a.attempt,
      trigger: a.trigger,
      started: Math.floor(a.started_ms / 1000),
      duration_ms: a.duration_ms,
      response_status: a.response_status,
      succeeded: a.succeeded,
      error: a.error,
    })),
  };
}

/** The body of PUT /v1/webhooks/default: {"url": "https://..."}. */
function defaultUrl(body: unknown, allowPrivateNetwork: boolean): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest(null, 'Send a JSON object like {"url": "https://example.com/hooks/vidgate"}.', 'invalid_json');
  for (const k of Object.keys(body)) if (k !== 'url') throw badRequest(k, `Unknown parameter '${k}'; accepted: url.`, 'unknown_parameter');
  const url = (body as { url?: unknown }).url;
  const problem = webhookUrlProblem(url, allowPrivateNetwork);
  if (problem) throw badRequest('url', `url: ${problem}`, 'invalid_url');
  return url as string;
}

const KEY = { config: { auth: 'key' as const } };

/**
 * Key-scoped webhook routes: the delivery log, redelivery, the key's signing secret and its default
 * callback URL. A key only ever sees its own; another key's delivery is answered as a missing one.
 */
export function registerWebhookRoutes(app: FastifyInstance, gw: Gateway): void {
  const accounts = gw.accounts;

  app.get('/v1/webhooks/deliveries', KEY, async (req: FastifyRequest<ListQuery>) => {
    const key = callerKey(req);
    const q = req.query ?? {};
    const limit = pageLimit(q);
    const taskId = queryValue(q, 'task_id');
    if (taskId !== undefined && !(await gw.tasks.get(key, taskId))) {
      throw new ApiError(404, 'invalid_request_error', 'async_task_not_found', 'Task not found or no longer available.', 'task_id');
    }
    return { object: 'list', data: (await accounts.deliveries(key.id, { taskId, limit })).map(deliveryView) };
  });

  app.get('/v1/webhooks/deliveries/:id', KEY, async (req: FastifyRequest<IdParams>) => {
    const found = isMessageId(req.params.id) ? await accounts.delivery(callerKey(req).id, req.params.id) : undefined;
    if (!found) throw deliveryNotFound();
    return deliveryView(found);
  });

  app.post('/v1/webhooks/deliveries/:id/redeliver', KEY, async (req: FastifyRequest<IdParams>, reply) => {
    const queued = isMessageId(req.params.id) ? await accounts.redeliver(callerKey(req).id, req.params.id) : undefined;
    if (!queued) throw deliveryNotFound();
    reply.code(202);
    return deliveryView(queued);
  });

  // The secret is the one thing a key may read about itself that nobody else can: never cached.
  const secretBody = (reply: FastifyReply, secret: string) => {
    reply.header('cache-control', 'no-store');
    return { object: 'webhook.secret', secret };
  };

  app.get('/v1/webhooks/secret', KEY, async (req, reply) => {
    const secret = await accounts.webhookSecret(callerKey(req).id);
    if (!secret) throw new ApiError(401, 'invalid_api_key', 'invalid_api_key', 'Invalid API key provided.');
    return secretBody(reply, secret);
  });

  app.post('/v1/webhooks/secret/rotate', KEY, async (req, reply) => {
    const key = callerKey(req);
    const secret = await accounts.rotateWebhookSecret(key.id);
    if (secret === null) throw new ApiError(401, 'invalid_api_key', 'invalid_api_key', 'Invalid API key provided.');
    gw.auth.evict(key.id);
    return secretBody(reply, secret);
  });

  const defaultView = (url: string | null) => ({ object: 'webhook.default', url });

  app.get('/v1/webhooks/default', KEY, async (req) => {
    const key = callerKey(req);
    return defaultView((await accounts.get(key.id))?.webhook_url ?? null);
  });

  const setDefault = async (keyId: string, url: string | null) => {
    const outcome = await accounts.setDefaultWebhook(keyId, url);
    if (outcome.kind !== 'updated') throw new ApiError(401, 'invalid_api_key', 'invalid_api_key', 'Invalid API key provided.');
    // The create route reads the default from the cached key row.
    gw.auth.evict(keyId);
    return defaultView(outcome.key.webhook_url);
  };

  app.put('/v1/webhooks/default', KEY, async (req) => {
    const key = callerKey(req);
    return setDefault(key.id, defaultUrl(req.body, gw.config.allowPrivateNetwork));
  });

  app.delete('/v1/webhooks/default', KEY, async (req) => {
    const key = callerKey(req);
    return setDefault(key.id, null);
  });
}
