import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';

/**
 * Vidgate's own API description (OpenAPI 3.1), served at GET /openapi.json and rendered at /docs.
 * TokenLab's component schemas (spec/tokenlab-openapi-video.json, the public contract) are reused
 * as they are; Vidgate's additions (task list, OpenAI-compatible Videos API, admin, webhooks, files,
 * metrics) are described here. A test checks that every registered route is described and that
 * real answers validate against these schemas; the SDK's types are generated from this document.
 */

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const jsonBody = (schema: Json, description = 'OK'): Json => ({ description, content: { 'application/json': { schema } } });
const error = (description: string): Json => jsonBody(ref('ApiError'), description);
const pathParam = (name: string, description: string): Json => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });
const queryParam = (name: string, description: string, schema: Json = { type: 'string' }): Json => ({ name, in: 'query', required: false, description, schema });
const str = (description?: string): Json => (description ? { type: 'string', description } : { type: 'string' });
const int = (description?: string): Json => (description ? { type: 'integer', description } : { type: 'integer' });
const nullable = (schema: Json): Json => ({ ...schema, type: [schema.type as string, 'null'] });
const obj = (properties: Json, required: string[] = Object.keys(properties)): Json => ({ type: 'object', properties, required });
const list = (item: Json, extra: Json = {}): Json => obj({ object: { type: 'string', const: 'list' }, data: { type: 'array', items: item }, ...extra }, ['object', 'data']);

/** The answers every authenticated route may give besides its own. */
const KEY_ERRORS = { '401': error('Missing or invalid API key.'), '429': error('Rate limit exceeded (see Retry-After and X-RateLimit-* headers).') };
const ADMIN_ERRORS = { ...KEY_ERRORS, '403': error('The key is not an admin key.') };
/** Stored files carry a strong ETag (a video's never changes; a thumbnail's is a digest of its bytes). */
const FILE_IF_NONE_MATCH = { name: 'If-None-Match', in: 'header', required: false, description: 'The ETag of a copy you have (or *): 304 without a body, whatever Range asks.', schema: { type: 'string' } };
const FILE_NOT_MODIFIED = { description: 'Your copy is current (If-None-Match).' };
const KEY = [{ BearerAuth: [] }];
const TASK_NOT_FOUND = error("Task not found (another key's task is answered exactly like a missing one).");

const taskId = pathParam('id', 'Task id (`ldtask_` + 32 hex), as returned by create.');

/** Vidgate's schemas, next to TokenLab's (which keep their names). */
const SCHEMAS: Json = {
  Task: {
    description: "A task as GET /v1/tasks/{id} shows it: TokenLab's VideoTaskResponse with Vidgate's extra fields.",
    allOf: [
      ref('VideoTaskResponse'),
      {
        type: 'object',
        required: ['id', 'task_id', 'poll_url', 'object', 'status', 'model', 'operation', 'created', 'updated'],
        properties: {
          id: str(),
          task_id: str(),
          poll_url: str(),
          object: { type: 'string', const: 'video.generation.task' },
          status: { type: 'string', enum: ['pending', 'processing', 'completed', 'failed'] },
          model: str(),
          operation: str('The operation the task runs (text-to-video, image-to-video, …).'),
          created: int(),
          updated: int(),
          progress: { type: 'integer', minimum: 0, maximum: 100, description: 'Only when real (processing) or 100 (completed).' },
          video_url: str('Completed tasks: a signed, expiring gateway URL of the MP4.'),
          video: obj({ url: str(), duration: { type: 'number' }, width: int(), height: int() }),
          cancelled: { type: 'boolean' },
          has_audio: { type: 'boolean', description: 'Completed tasks: whether the stored video has an audio track.' },
          video_expires_at: int('Completed tasks: when retention deletes the stored video; once it is gone, when it went (a past time, equal to video_expired_at). Unix seconds.'),
          video_expired: { type: 'boolean', description: "The stored video was deleted: by retention, or by its owner's DELETE /v1/videos/{id}." },
          video_expired_at: int('When the stored video was deleted (Unix seconds).'),
          error: obj({ code: str(), message: str() }),
        },
      },
    ],
  },
  TaskList: obj({
    object: { type: 'string', const: 'list' },
    data: { type: 'array', items: ref('Task') },
    has_more: { type: 'boolean', description: 'More tasks follow: pass `after` = `next_after` to get them.' },
    next_after: nullable(str('The cursor of the next page (the last id of this one), or null.')),
  }),
  ApiKey: obj({
    id: str(),
    object: { type: 'string', const: 'api_key' },
    name: str(),
    prefix: str('First characters of the secret, to recognise a key.'),
    admin: { type: 'boolean' },
    created: int(),
    revoked: nullable(int()),
    balance_usd: nullable({ type: 'number' }),
    spend_limit_usd: nullable({ type: 'number' }),
    reserved_usd: { type: 'number' },
    spent_usd: { type: 'number' },
    rpm_limit: nullable(int()),
    webhook_url: nullable(str()),
  }),
  ApiKeyCreated: { allOf: [ref('ApiKey'), obj({ key: str('The secret (sk-…), shown only in this answer.') })] },
  ApiKeyList: list(ref('ApiKey')),
  Channel: obj({
    id: str('Names the channel: its protocol for an environment channel (`openai`, `kling-jwt`; `openai-2` in a key pool), its own id from VIDGATE_CONFIG.'),
    provider: { type: 'string', enum: ['google', 'openai', 'kling', 'seedance', 'minimax', 'dashscope', 'vidu', 'xai', 'topaz'] },
    protocol: str('`gemini-api`, `vertex-ai`, `openai`, `azure-openai`, `byteplus-ark`, `volcengine-ark`, `kling-api-key`, `kling-jwt`, `minimax`, `dashscope`, `vidu`, `xai`, `topaz`.'),
    base_url: nullable(str('Scheme, host and path of the upstream (never credentials).')),
    models: { type: 'array', items: str(), description: 'Catalog model ids it serves.' },
    upstream_models: { type: 'object', additionalProperties: str(), description: 'Models it sends under an upstream id of its own.' },
    state: { type: 'string', enum: ['closed', 'open', 'half_open'], description: 'Its circuit breaker.' },
    in_flight: int('Jobs in flight upstream through it, across every node.'),
    submissions: int('Creates sent through it since this node started.'),
    failures: int('Of those, creates it refused or failed.'),
    priority: int('Higher is tried first.'),
    weight: int('Share of the load among channels of equal priority.'),
    concurrency: nullable(int('Its cap on jobs in flight.')),
    rpm: nullable(int('Its cap on creates per minute.')),
  }),
  ChannelList: list(ref('Channel')),
  AdminTask: {
    description: 'A task as its owner sees it, plus who owns it and which channel served it.',
    allOf: [
      ref('Task'),
      obj({
        owner_key_id: str(),
        provider: str(),
        upstream_id: nullable(str("The upstream's own job id.")),
        channel: nullable(obj({ id: str(), provider: str(), protocol: nullable(str('Null when the channel is no longer configured.')) })),
      }),
    ],
  },
  ApiKeyDeleted: obj({ id: str(), object: { type: 'string', const: 'api_key' }, deleted: { type: 'boolean', const: true } }),
  Usage: obj(
    {
      object: { type: 'string', const: 'usage' },
      start_date: str(),
      end_date: str(),
      currency: { type: 'string', const: 'USD' },
      total_cost_usd: { type: 'number' },
      data: { type: 'array', items: obj({ date: str(), model: str(), key_id: str(), requests: int(), cost_usd: { type: 'number' } }) },
      key_id: str(),
      balance_usd: nullable({ type: 'number' }),
      spend_limit_usd: nullable({ type: 'number' }),
      reserved_usd: { type: 'number' },
      spent_usd: { type: 'number' },
    },
    ['object', 'start_date', 'end_date', 'currency', 'total_cost_usd', 'data'],
  ),
  WebhookDelivery: obj({
    id: str('The webhook-id header of every attempt.'),
    object: { type: 'string', const: 'webhook.delivery' },
    event_type: str(),
    task_id: str(),
    url: str(),
    status: str(),
    created: int(),
    delivered_at: nullable(int()),
    next_attempt_at: nullable(int()),
    attempt_count: int(),
    last_response_status: nullable(int()),
    last_error: nullable(str()),
    attempts: {
      type: 'array',
      items: obj({ attempt: int(), trigger: str(), started: int(), duration_ms: nullable(int()), response_status: nullable(int()), succeeded: { type: 'boolean' }, error: nullable(str()) }),
    },
  }),
  WebhookDeliveryList: list(ref('WebhookDelivery')),
  WebhookSecret: obj({ object: { type: 'string', const: 'webhook.secret' }, secret: str('whsec_… (Standard Webhooks).') }),
  WebhookDefault: obj({ object: { type: 'string', const: 'webhook.default' }, url: nullable(str()) }),
  OpenAIVideo: obj(
    {
      id: str(),
      object: { type: 'string', const: 'video' },
      model: str(),
      status: { type: 'string', enum: ['queued', 'in_progress', 'completed', 'failed'] },
      progress: int(),
      seconds: str('Duration in seconds, as a string (OpenAI shape).'),
      size: str('WIDTHxHEIGHT.'),
      created_at: int(),
      completed_at: nullable(int()),
      expires_at: nullable(int('Completed videos: when the stored file is deleted (completion + retention); once it is gone, when it went (a past time). Null before completion.')),
      prompt: nullable(str()),
      remixed_from_video_id: nullable(str()),
      error: nullable(obj({ code: str(), message: str() })),
    },
    ['id', 'object', 'model', 'status', 'progress', 'seconds', 'size', 'created_at', 'completed_at', 'expires_at', 'error'],
  ),
  OpenAIVideoCreate: {
    type: 'object',
    required: ['prompt'],
    properties: {
      model: str('Any catalog model (default sora-2).'),
      prompt: str(),
      seconds: str('Duration in seconds ("4", "8", "12", …), within what the model allows.'),
      size: str("WIDTHxHEIGHT, e.g. 1280x720; mapped onto the model's aspect ratio and resolution. Omitted: 720x1280 (OpenAI's default) for Sora models, the model's own default shape for the others."),
      input_reference: { type: 'string', format: 'binary', description: 'Multipart only: an image (or video) file that conditions the generation.' },
    },
  },
  OpenAIVideoList: list(ref('OpenAIVideo'), { first_id: nullable(str()), last_id: nullable(str()), has_more: { type: 'boolean' } }),
  OpenAIVideoDeleted: obj({ id: str(), object: { type: 'string', const: 'video.deleted' }, deleted: { type: 'boolean' } }),
  Health: obj({ status: { type: 'string', const: 'ok' } }),
};

function paths(): Json {
  return {
    '/v1/videos/generations': {
      post: {
        tags: ['Tasks'],
        operationId: 'createVideo',
        summary: 'Create a video task',
        description: "Validates against the model's rules, reserves the estimate and stores the task; answers at once. Send `Idempotency-Key` to make retries safe.",
        security: KEY,
        parameters: [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description: 'Same key + same request within 24 h returns the original task. Requests are compared as parsed: key order, aliases and null (not sent) fields make no difference.',
            schema: { type: 'string', maxLength: 255 },
          },
        ],
        requestBody: { required: true, content: { 'application/json': { schema: ref('VideoGenerationRequest') } } },
        responses: {
          '200': jsonBody(ref('VideoGenerationResponse'), 'Task stored (status pending).'),
          '400': error(
            'Invalid request: `param` names the field and the message says what is allowed (a key given twice in the JSON body, at any depth, is `duplicate_parameter`). Also a request no configured channel can serve: `param` names what the channels cannot take.',
          ),
          '402': error('insufficient_balance or quota_exceeded.'),
          '409': error('Idempotency-Key reused with a different request.'),
          '503': error('No channel serves this model.'),
          ...KEY_ERRORS,
        },
      },
    },
    '/v1/videos/generations/{id}': {
      get: {
        tags: ['Tasks'],
        operationId: 'getVideoTask',
        summary: 'Get a task (legacy alias of GET /v1/tasks/{id})',
        security: KEY,
        parameters: [taskId],
        responses: { '200': jsonBody(ref('Task')), '404': TASK_NOT_FOUND, ...KEY_ERRORS },
      },
    },
    '/v1/tasks': {
      get: {
        tags: ['Tasks'],
        operationId: 'listTasks',
        summary: "List the calling key's tasks, newest first",
        security: KEY,
        parameters: [
          queryParam('status', 'Only tasks with this public status.', { type: 'string', enum: ['pending', 'processing', 'completed', 'failed'] }),
          queryParam('model', 'Only tasks of this model.'),
          queryParam('limit', 'Page size, 1–100 (default 20).', { type: 'integer', minimum: 1, maximum: 100, default: 20 }),
          queryParam('after', 'Cursor: the `next_after` of the previous page.'),
        ],
        responses: { '200': jsonBody(ref('TaskList')), '400': error('Invalid filter or cursor.'), ...KEY_ERRORS },
      },
    },
    '/v1/tasks/{id}': {
      get: {
        tags: ['Tasks'],
        operationId: 'getTask',
        summary: 'Get a task (optionally waiting for a change)',
        description:
          'Served from the store, never from the upstream. `wait=N` (long poll) holds the request until the task changes status or progress, ends, or N seconds pass; a key revoked while it waits gets 401 invalid_api_key. Answers carry an ETag; If-None-Match with the current one answers 304.',
        security: KEY,
        parameters: [
          taskId,
          queryParam('wait', 'Long poll: hold up to this many seconds (0–60) for a change.', { type: 'integer', minimum: 0, maximum: 60 }),
          { name: 'If-None-Match', in: 'header', required: false, description: 'An ETag from an earlier answer: 304 while the task is unchanged.', schema: { type: 'string' } },
        ],
        responses: { '200': jsonBody(ref('Task')), '304': { description: 'Unchanged since the ETag sent.' }, '400': error('Invalid wait.'), '404': TASK_NOT_FOUND, ...KEY_ERRORS },
      },
      delete: {
        tags: ['Tasks'],
        operationId: 'cancelTask',
        summary: 'Cancel a task',
        security: KEY,
        parameters: [taskId],
        responses: { '200': jsonBody(ref('Task'), 'Cancelled: status failed, cancelled true.'), '404': TASK_NOT_FOUND, '409': error('task_not_cancellable.'), ...KEY_ERRORS },
      },
    },
    '/v1/tasks/{id}/events': {
      get: {
        tags: ['Tasks'],
        operationId: 'streamTask',
        summary: 'Server-Sent Events of a task',
        description:
          '`event: task`, `data:` the task (as GET /v1/tasks/{id}) at every change of status or progress, `id:` a resume point for Last-Event-ID; heartbeat comments; the stream closes after the terminal event. If the key is revoked while the stream is open: `event: error` with the 401 invalid_api_key error envelope as `data:`, then the stream closes.',
        security: KEY,
        parameters: [taskId, { name: 'Last-Event-ID', in: 'header', required: false, description: 'Resume after this event.', schema: { type: 'string' } }],
        responses: { '200': { description: 'The event stream.', content: { 'text/event-stream': { schema: { type: 'string' } } } }, '404': TASK_NOT_FOUND, ...KEY_ERRORS },
      },
    },
    '/v1/models': {
      get: {
        tags: ['Models'],
        operationId: 'listModels',
        summary: 'List models',
        parameters: [
          queryParam('view', 'full (default) or compact.', { type: 'string', enum: ['full', 'compact'] }),
          queryParam('category', 'Filter by category.'),
          queryParam('provider', 'Filter by provider.'),
          queryParam('tag', 'Filter by tag.'),
          queryParam('recommended_for', 'Same as category.'),
        ],
        responses: { '200': jsonBody({ oneOf: [ref('ModelsResponse'), ref('CompactModelsResponse')] }), '400': error('Invalid filter.') },
      },
    },
    '/v1/models/{model}': {
      get: {
        tags: ['Models'],
        operationId: 'getModel',
        summary: 'Get a model with its request rules',
        parameters: [pathParam('model', 'Model id or alias.')],
        responses: { '200': jsonBody(ref('Model')), '404': error('model_not_found.') },
      },
    },
    '/v1/models/{model}/pricing': {
      get: {
        tags: ['Models'],
        operationId: 'getModelPricing',
        summary: "A model's prices",
        parameters: [pathParam('model', 'Model id or alias.')],
        responses: { '200': jsonBody(ref('ModelPricingResponse')), '404': error('model_not_found.') },
      },
    },
    '/v1/pricing': {
      get: {
        tags: ['Models'],
        operationId: 'getPricing',
        summary: 'Prices of every model',
        parameters: [queryParam('provider', 'Filter by provider.'), queryParam('tag', 'Filter by tag.')],
        responses: { '200': jsonBody(ref('PricingResponse')), '400': error('Invalid filter.') },
      },
    },
    '/v1/usage': {
      get: {
        tags: ['Billing'],
        operationId: 'getUsage',
        summary: "The key's settled spend by model and UTC day",
        security: KEY,
        parameters: [queryParam('start_date', 'YYYY-MM-DD (default 29 days ago).'), queryParam('end_date', 'YYYY-MM-DD (default today).')],
        responses: { '200': jsonBody(ref('Usage')), '400': error('Invalid date.'), ...KEY_ERRORS },
      },
    },
    '/v1/videos': {
      post: {
        tags: ['OpenAI-compatible'],
        operationId: 'openaiCreateVideo',
        summary: 'Create a video (OpenAI Videos API shape)',
        security: KEY,
        requestBody: { required: true, content: { 'application/json': { schema: ref('OpenAIVideoCreate') }, 'multipart/form-data': { schema: ref('OpenAIVideoCreate') } } },
        responses: {
          '200': jsonBody(ref('OpenAIVideo')),
          '400': error('Invalid request (`param` names the field, e.g. size; a form field or JSON key sent twice is `duplicate_parameter`).'),
          '402': error('Insufficient balance or quota.'),
          ...KEY_ERRORS,
        },
      },
      get: {
        tags: ['OpenAI-compatible'],
        operationId: 'openaiListVideos',
        summary: "List the key's videos",
        security: KEY,
        parameters: [
          queryParam('after', 'Cursor: a video id.'),
          queryParam('limit', '1–100 (default 20).', { type: 'integer', minimum: 1, maximum: 100 }),
          queryParam('order', 'asc or desc (default desc).', { type: 'string', enum: ['asc', 'desc'] }),
        ],
        responses: { '200': jsonBody(ref('OpenAIVideoList')), '400': error('Invalid parameter.'), ...KEY_ERRORS },
      },
    },
    '/v1/videos/{id}': {
      get: {
        tags: ['OpenAI-compatible'],
        operationId: 'openaiRetrieveVideo',
        summary: 'Retrieve a video',
        security: KEY,
        parameters: [pathParam('id', 'Video id (the task id).')],
        responses: { '200': jsonBody(ref('OpenAIVideo')), '404': error('Video not found, or deleted (video_deleted).'), ...KEY_ERRORS },
      },
      delete: {
        tags: ['OpenAI-compatible'],
        operationId: 'openaiDeleteVideo',
        summary: 'Delete a video (cancelling it first if it still runs): its file goes and the OpenAI routes answer 404 for it; the task record stays on the TokenLab routes, marked video_expired',
        security: KEY,
        parameters: [pathParam('id', 'Video id.')],
        responses: { '200': jsonBody(ref('OpenAIVideoDeleted')), '404': error('Video not found.'), '409': error('The video is being generated upstream and cannot be stopped.'), ...KEY_ERRORS },
      },
    },
    '/v1/videos/{id}/content': {
      get: {
        tags: ['OpenAI-compatible'],
        operationId: 'openaiDownloadVideoContent',
        summary: 'Download the video (or its thumbnail)',
        security: KEY,
        parameters: [pathParam('id', 'Video id.'), queryParam('variant', 'video (default) or thumbnail.', { type: 'string', enum: ['video', 'thumbnail'] }), FILE_IF_NONE_MATCH],
        responses: {
          '200': { description: 'The bytes.', content: { 'video/mp4': { schema: { type: 'string', format: 'binary' } }, 'image/jpeg': { schema: { type: 'string', format: 'binary' } } } },
          '206': { description: 'A byte range (Range: bytes=…).', content: { 'video/mp4': { schema: { type: 'string', format: 'binary' } } } },
          '304': FILE_NOT_MODIFIED,
          '400': error('Invalid variant.'),
          '404': error('Video not found, its file was deleted, or it failed (video_failed: it will never have content).'),
          '409': error('The video is not completed yet.'),
          '416': error('Range not satisfiable.'),
          ...KEY_ERRORS,
        },
      },
    },
    '/v1/files/{id}/video.mp4': {
      get: {
        tags: ['Files'],
        operationId: 'downloadFile',
        summary: 'A stored video behind a signed URL (what video_url points at); supports Range',
        parameters: [taskId, { name: 'expires', in: 'query', required: true, schema: { type: 'string' } }, { name: 'signature', in: 'query', required: true, schema: { type: 'string' } }, FILE_IF_NONE_MATCH],
        responses: {
          '200': { description: 'The MP4.', content: { 'video/mp4': { schema: { type: 'string', format: 'binary' } } } },
          '206': { description: 'A byte range.', content: { 'video/mp4': { schema: { type: 'string', format: 'binary' } } } },
          '304': FILE_NOT_MODIFIED,
          '403': error('Bad or expired signature.'),
          '404': error('File not found.'),
          '410': error('Deleted by retention.'),
          '416': error('Range not satisfiable.'),
        },
      },
    },
    '/v1/admin/keys': {
      post: {
        tags: ['Admin'],
        operationId: 'createKey',
        summary: 'Create an API key',
        security: KEY,
        requestBody: { required: false, content: { 'application/json': { schema: { type: 'object', properties: { name: str(), admin: { type: 'boolean' } }, additionalProperties: false } } } },
        responses: { '201': jsonBody(ref('ApiKeyCreated'), 'Created; the secret is shown once.'), '400': error('Invalid body.'), ...ADMIN_ERRORS },
      },
      get: { tags: ['Admin'], operationId: 'listKeys', summary: 'List API keys (never secrets)', security: KEY, responses: { '200': jsonBody(ref('ApiKeyList')), ...ADMIN_ERRORS } },
    },
    '/v1/admin/keys/{id}': {
      patch: {
        tags: ['Admin'],
        operationId: 'updateKey',
        summary: "Set a key's balance, limits or default webhook",
        security: KEY,
        parameters: [pathParam('id', 'Key id.')],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  balance_usd: nullable({ type: 'number' }),
                  add_balance_usd: { type: 'number' },
                  spend_limit_usd: nullable({ type: 'number' }),
                  rpm_limit: nullable({ type: 'integer' }),
                  webhook_url: nullable(str()),
                },
              },
            },
          },
        },
        responses: { '200': jsonBody(ref('ApiKey')), '400': error('Invalid body.'), '404': error('No such key.'), ...ADMIN_ERRORS },
      },
      delete: {
        tags: ['Admin'],
        operationId: 'revokeKey',
        summary: 'Revoke a key',
        security: KEY,
        parameters: [pathParam('id', 'Key id.')],
        responses: { '200': jsonBody(ref('ApiKeyDeleted')), '404': error('No such key.'), ...ADMIN_ERRORS },
      },
    },
    '/v1/admin/channels': {
      get: {
        tags: ['Admin'],
        operationId: 'listChannels',
        summary: 'The routes to the upstreams, their breakers and counts (never credentials)',
        security: KEY,
        responses: { '200': jsonBody(ref('ChannelList')), ...ADMIN_ERRORS },
      },
    },
    '/v1/admin/tasks/{id}': {
      get: {
        tags: ['Admin'],
        operationId: 'getAnyTask',
        summary: "Any key's task, with its owner and the channel that served it",
        security: KEY,
        parameters: [taskId],
        responses: { '200': jsonBody(ref('AdminTask')), '404': error('Task not found.'), ...ADMIN_ERRORS },
      },
    },
    '/v1/admin/usage': {
      get: {
        tags: ['Admin'],
        operationId: 'getAllUsage',
        summary: 'Spend of every key (or one) by model and day',
        security: KEY,
        parameters: [queryParam('start_date', 'YYYY-MM-DD.'), queryParam('end_date', 'YYYY-MM-DD.'), queryParam('key_id', 'Only this key.')],
        responses: { '200': jsonBody(ref('Usage')), '400': error('Invalid date.'), '404': error('No such key.'), ...ADMIN_ERRORS },
      },
    },
    '/v1/webhooks/deliveries': {
      get: {
        tags: ['Webhooks'],
        operationId: 'listWebhookDeliveries',
        summary: "The key's webhook delivery log",
        security: KEY,
        parameters: [queryParam('task_id', 'Only this task.'), queryParam('limit', '1–100 (default 20).', { type: 'integer', minimum: 1, maximum: 100 })],
        responses: { '200': jsonBody(ref('WebhookDeliveryList')), '400': error('Invalid parameter.'), '404': TASK_NOT_FOUND, ...KEY_ERRORS },
      },
    },
    '/v1/webhooks/deliveries/{id}': {
      get: {
        tags: ['Webhooks'],
        operationId: 'getWebhookDelivery',
        summary: 'One delivery with every attempt',
        security: KEY,
        parameters: [pathParam('id', 'The webhook-id.')],
        responses: { '200': jsonBody(ref('WebhookDelivery')), '404': error('Delivery not found.'), ...KEY_ERRORS },
      },
    },
    '/v1/webhooks/deliveries/{id}/redeliver': {
      post: {
        tags: ['Webhooks'],
        operationId: 'redeliverWebhook',
        summary: 'Send a delivery again (same webhook-id)',
        security: KEY,
        parameters: [pathParam('id', 'The webhook-id.')],
        responses: { '202': jsonBody(ref('WebhookDelivery'), 'Queued.'), '404': error('Delivery not found.'), ...KEY_ERRORS },
      },
    },
    '/v1/webhooks/secret': {
      get: { tags: ['Webhooks'], operationId: 'getWebhookSecret', summary: "The key's whsec_ signing secret", security: KEY, responses: { '200': jsonBody(ref('WebhookSecret')), ...KEY_ERRORS } },
    },
    '/v1/webhooks/secret/rotate': {
      post: { tags: ['Webhooks'], operationId: 'rotateWebhookSecret', summary: 'Rotate the signing secret', security: KEY, responses: { '200': jsonBody(ref('WebhookSecret')), ...KEY_ERRORS } },
    },
    '/v1/webhooks/default': {
      get: { tags: ['Webhooks'], operationId: 'getDefaultWebhook', summary: "The key's default callback URL", security: KEY, responses: { '200': jsonBody(ref('WebhookDefault')), ...KEY_ERRORS } },
      put: {
        tags: ['Webhooks'],
        operationId: 'setDefaultWebhook',
        summary: 'Set the default callback URL',
        security: KEY,
        requestBody: { required: true, content: { 'application/json': { schema: obj({ url: str() }) } } },
        responses: { '200': jsonBody(ref('WebhookDefault')), '400': error('Invalid URL.'), ...KEY_ERRORS },
      },
      delete: { tags: ['Webhooks'], operationId: 'clearDefaultWebhook', summary: 'Clear the default callback URL', security: KEY, responses: { '200': jsonBody(ref('WebhookDefault')), ...KEY_ERRORS } },
    },
    '/metrics': {
      get: {
        tags: ['Operations'],
        operationId: 'getMetrics',
        summary: 'Prometheus metrics (admin key)',
        security: KEY,
        responses: { '200': { description: 'Prometheus text exposition format.', content: { 'text/plain': { schema: { type: 'string' } } } }, ...ADMIN_ERRORS },
      },
    },
    '/v1/upstream-callbacks/{channel}/{token}': {
      post: {
        tags: ['Operations'],
        operationId: 'receiveUpstreamCallback',
        summary: 'Where a provider calls back about a job (VIDGATE_CALLBACK_BASE_URL)',
        description:
          "Not for clients: the URL the gateway sends with a create (Kling, Vidu, MiniMax, Seedance `callback_url`). No API key: the per-task token authenticates it, and Vidu's signature is checked. A callback only makes the task's poll due now; its body is never used as the result. Unknown tokens answer 404, bad signatures 401; genuine, duplicate and late callbacks 200. MiniMax's {\"challenge\"} is echoed. Bodies over 64 KiB answer 413.",
        parameters: [pathParam('channel', 'The channel the task was submitted through.'), pathParam('token', 'The per-task token the gateway issued.')],
        requestBody: { required: false, content: { 'application/json': { schema: { type: 'object' } } } },
        responses: {
          '200': jsonBody({ type: 'object' }, 'Accepted (it changed nothing, or the task is polled now).'),
          '401': error('Bad signature.'),
          '404': error('Unknown callback URL.'),
          '413': error('Body too large.'),
        },
      },
    },
    '/v1/upstream-callbacks/{channel}': {
      post: {
        tags: ['Operations'],
        operationId: 'receiveProjectWebhook',
        summary: "A provider's project webhook (OpenAI video.completed / video.failed)",
        description:
          "Not for clients: set it as the OpenAI project's webhook URL. Verified with OPENAI_WEBHOOK_SECRET (Standard Webhooks: webhook-id, webhook-timestamp within 5 minutes, webhook-signature); data.id names the video. Events for videos this gateway did not make are acknowledged and ignored.",
        parameters: [pathParam('channel', 'The channel (e.g. openai).')],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
        responses: { '200': jsonBody({ type: 'object' }, 'Accepted.'), '401': error('Bad or stale signature.'), '404': error('Unknown channel.'), '413': error('Body too large.') },
      },
    },
    '/healthz': { get: { tags: ['Operations'], operationId: 'health', summary: 'Liveness', responses: { '200': jsonBody(ref('Health')) } } },
    '/openapi.json': { get: { tags: ['Operations'], operationId: 'getOpenApi', summary: 'This document', responses: { '200': jsonBody({ type: 'object' }) } } },
    '/docs': {
      get: { tags: ['Operations'], operationId: 'getDocs', summary: 'A browsable reference of this document', responses: { '200': { description: 'HTML.', content: { 'text/html': { schema: { type: 'string' } } } } } },
    },
    '/': { get: { tags: ['Operations'], operationId: 'getPlayground', summary: 'The web playground', responses: { '200': { description: 'HTML.', content: { 'text/html': { schema: { type: 'string' } } } } } } },
  };
}

let cached: Json | undefined;

/** The document (built once per process: it only depends on files shipped with the code). */
export function openApiDocument(): Json {
  if (cached) return cached;
  const tokenlab = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'spec', 'tokenlab-openapi-video.json'), 'utf8')) as { components: { schemas: Json } };
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'Vidgate',
      version: '1.0.0',
      description:
        'A self-hosted gateway with one asynchronous video-generation API in front of the major video models. It speaks TokenLab\'s public contract (the schemas named like TokenLab\'s are TokenLab\'s own), plus an OpenAI-compatible Videos API. Every error is the envelope {"error":{"message","type","code","param"}}.',
    },
    tags: ['Tasks', 'Models', 'OpenAI-compatible', 'Files', 'Billing', 'Webhooks', 'Admin', 'Operations'].map((name) => ({ name })),
    paths: paths(),
    components: {
      schemas: { ...tokenlab.components.schemas, ...SCHEMAS },
      securitySchemes: { BearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'sk-…', description: 'Authorization: Bearer sk-… (an API key; admin routes need an admin key).' } },
    },
  };
  return cached;
}
