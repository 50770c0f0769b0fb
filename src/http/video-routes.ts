import type { FastifyInstance } from 'fastify';
import { ApiError, badRequest, modelNotFound } from '../contract/errors.js';
import { newTaskId } from '../contract/ids.js';
import { inferOperation } from '../contract/infer-operation.js';
import { parseVideoRequest } from '../contract/parse-video-request.js';
import { createdView } from '../contract/task-view.js';
import type { VideoRequest } from '../contract/video-request.js';
import { resolveForModel, validateForModel } from '../catalog/rules.js';
import { estimateCostUsd } from '../catalog/pricing.js';
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
  req.kling_elements?.forEach((el, i) =>
    el.element_input_urls.forEach((u, j) => {
      const problem = checkInputUrlSyntax(u, allowPrivate);
      if (problem) throw badRequest(`kling_elements[${i}].element_input_urls[${j}]`, problem, 'invalid_url');
    }),
  );
}

function channelMissing(spec: ModelSpec): ApiError {
  return new ApiError(
    503,
    'all_channels_failed',
    'all_channels_failed',
    `No channel is available for model '${spec.id}': the '${spec.provider}' provider is not built into this gateway yet or has no credentials configured. See GET /v1/models for models you can use now.`,
    'model',
    { retryable: false, model: spec.id },
  );
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
    };
    await gw.store.insertTask(row); // durable before we answer
    gw.wakeEngine();
    reply.header('X-Task-ID', row.id);
    return createdView(row);
  });
}
