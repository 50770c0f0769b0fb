import { badRequest, modelNotFound } from '../contract/errors.js';
import { newTaskId } from '../contract/ids.js';
import { inferOperation } from '../contract/infer-operation.js';
import { parseVideoRequest } from '../contract/parse-video-request.js';
import type { ResolvedVideoRequest, VideoRequest } from '../contract/video-request.js';
import type { Catalog } from '../catalog/catalog.js';
import { estimateCostUsd, estimateForSourceUsd, sourceTooLong, sourceVideoRule } from '../catalog/pricing.js';
import { resolveForModel, validateForModel } from '../catalog/rules.js';
import type { ModelSpec } from '../catalog/types.js';
import { isDataUrl, parseDataUrl } from '../media/data-url.js';
import { mp4DeclaredSeconds } from '../media/mp4-duration.js';
import { checkInputUrlSyntax } from '../media/url-guard.js';
import type { ApiKey, NewTask } from '../store/types.js';

/** Input fields that hold media we (or the upstream) will fetch: each is checked before the 200. */
const MEDIA_FIELDS = ['image_url', 'image', 'image_urls', 'reference_images', 'start_image', 'end_image', 'video_url', 'video_urls', 'audio_url', 'audio_urls'] as const;

/** Longest callback URL we accept (and store, and post to). */
export const MAX_CALLBACK_URL_LENGTH = 2048;

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
    if (u.length > MAX_CALLBACK_URL_LENGTH) throw badRequest('callback_url', `callback_url must be at most ${MAX_CALLBACK_URL_LENGTH} characters.`, 'invalid_url');
    const problem = u.startsWith('data:') ? 'must be an https URL' : checkInputUrlSyntax(u, allowPrivate);
    if (problem) throw badRequest('callback_url', `callback_url: ${problem}`, 'invalid_url');
  }
  for (const [i, el] of (req.kling_elements ?? []).entries()) {
    for (const [j, u] of el.element_input_urls.entries()) {
      const problem = checkInputUrlSyntax(u, allowPrivate);
      if (problem) throw badRequest(`kling_elements[${i}].element_input_urls[${j}]`, problem, 'invalid_url');
    }
  }
}

/**
 * Where an output is as long as its source video and that source is inline (a data: URL), its length
 * is known now: a source longer than the model takes is a 400, and the reservation is priced by it.
 * Returns the length when known (the engine probes every source again before submitting).
 */
function checkDeclaredSource(resolved: ResolvedVideoRequest, spec: ModelSpec): number | undefined {
  const rule = sourceVideoRule(spec, resolved);
  if (!rule || resolved.video_url === undefined || !isDataUrl(resolved.video_url)) return undefined;
  let seconds: number | undefined;
  try {
    seconds = mp4DeclaredSeconds(parseDataUrl(resolved.video_url).bytes);
  } catch {
    return undefined; // not decodable: the engine's fetch says why, as for any unusable input
  }
  if (seconds !== undefined && sourceTooLong(rule, seconds)) {
    throw badRequest('video_url', `video_url is ${seconds.toFixed(1)} s long; ${spec.id} takes sources of at most ${rule.max_seconds} s (its output is as long as its source). Trim the video.`, 'source_too_long', {
      max_source_seconds: rule.max_seconds,
    });
  }
  return seconds;
}

/**
 * Turns a create body into the task to store: parse (aliases, types), find the model, every
 * per-model rule, media URL syntax, defaults, price. Throws the contract's 400s; does no I/O.
 * `parsed`: the request as parsed, before the model's defaults (what idempotency compares).
 */
export function planTask(body: unknown, key: ApiKey, catalog: Catalog, opts: { allowPrivateNetwork: boolean; now_ms: number }): { task: NewTask; parsed: VideoRequest } {
  const parsed = parseVideoRequest(body, (r) => inferOperation(r, catalog.get(r.model)?.operations.map((o) => o.operation) ?? []));
  const spec = catalog.get(parsed.model);
  if (!spec) throw modelNotFound(parsed.model, 400, catalog.suggest(parsed.model));
  validateForModel(parsed, spec);
  checkMediaInputs(parsed, opts.allowPrivateNetwork);
  const resolved = resolveForModel(parsed, spec);
  const sourceSeconds = checkDeclaredSource(resolved, spec);
  const task: NewTask = {
    id: newTaskId(opts.now_ms),
    owner_key_id: key.id,
    model: spec.id,
    provider: spec.provider,
    operation: resolved.operation,
    request: resolved,
    upstream_model: resolved.upstream_model,
    estimated_cost_usd: sourceSeconds === undefined ? estimateCostUsd(resolved, spec) : estimateForSourceUsd(resolved, spec, sourceSeconds),
    // The caller's callback_url wins over the key's default webhook.
    callback_url: parsed.callback_url ?? key.webhook_url,
    created_ms: opts.now_ms,
  };
  return { task, parsed };
}
