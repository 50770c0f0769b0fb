import { badRequest, modelNotFound } from '../contract/errors.js';
import { newTaskId } from '../contract/ids.js';
import { inferOperation } from '../contract/infer-operation.js';
import { parseVideoRequest } from '../contract/parse-video-request.js';
import type { ResolvedVideoRequest, VideoRequest } from '../contract/video-request.js';
import type { Catalog } from '../catalog/catalog.js';
import { estimateCostUsd, estimateForSourceUsd, sourceTooLong, sourceVideoRule } from '../catalog/pricing.js';
import { acceptedImageTypes } from '../catalog/family-rules.js';
import { modelFacts } from '../catalog/model-facts.js';
import { resolveForModel, validateForModel } from '../catalog/rules.js';
import type { ModelSpec } from '../catalog/types.js';
import { inlineMediaType, inlineTypeProblem, isDataUrl, parseDataUrl, withRegisteredType } from '../media/data-url.js';
import type { MediaKind } from '../media/sniff.js';
import { mp4DeclaredSeconds } from '../media/mp4-duration.js';
import { checkInputUrlSyntax } from '../media/url-guard.js';
import type { ApiKey, NewTask } from '../store/types.js';

/** Input fields that hold media we (or the upstream) will fetch, and the kind each holds: each is checked before the 200. */
const MEDIA_FIELDS = {
  image_url: 'image',
  image: 'image',
  image_urls: 'image',
  reference_images: 'image',
  start_image: 'image',
  end_image: 'image',
  video_url: 'video',
  video_urls: 'video',
  audio_url: 'audio',
  audio_urls: 'audio',
} as const satisfies Partial<Record<keyof VideoRequest, MediaKind>>;
const MEDIA_FIELD_LIST = Object.entries(MEDIA_FIELDS) as [keyof typeof MEDIA_FIELDS, MediaKind][];

/** Longest callback URL we accept (and store, and post to). */
export const MAX_CALLBACK_URL_LENGTH = 2048;

/** What an input is checked against: the gateway's URL policy, and the model (the image types its upstream takes). */
interface InputPolicy {
  allowPrivate: boolean;
  spec: ModelSpec;
}

/**
 * A URL (or data: URL) input: its syntax, and for inline media whether its bytes are what it declares
 * and, for an image, whether the model's upstream takes its type.
 */
function checkMediaInput(param: string, value: string, kind: MediaKind, policy: InputPolicy): void {
  const problem = checkInputUrlSyntax(value, policy.allowPrivate);
  if (problem) throw badRequest(param, `${param}: ${problem}`, 'invalid_url');
  const typeProblem = inlineTypeProblem(value, kind);
  if (typeProblem) {
    throw badRequest(param, `${param}: the data: URL ${typeProblem}. Declare the type its bytes really have (data:<type>;base64,…), or send the file you meant.`, 'media_type_mismatch');
  }
  const accepted = kind === 'image' ? acceptedImageTypes(policy.spec) : undefined;
  const type = accepted ? inlineMediaType(value) : undefined;
  if (accepted && type !== undefined && !accepted.includes(type)) {
    const list = `${accepted.slice(0, -1).join(', ')} or ${accepted[accepted.length - 1]}`;
    throw badRequest(param, `${param}: model '${policy.spec.id}' takes ${list} images; this data: URL is ${type}. Convert the image to one of those types (PNG or JPEG, say).`, 'unsupported_media_type', {
      model: policy.spec.id,
      allowed_media_types: [...accepted],
    });
  }
}

/**
 * Every media input of a request (the URL fields, Kling elements' images) through `fn`, with its
 * parameter name and kind: the request with what `fn` returned, or the same object when it returned
 * every input unchanged (nearly always).
 */
function mapMediaInputs(req: VideoRequest, fn: (value: string, param: string, kind: MediaKind) => string): VideoRequest {
  // The copy is made only once an input changes (rare): most creates have one input or none.
  let out: Record<string, unknown> | undefined;
  const set = (field: string, value: unknown) => {
    out ??= { ...req };
    out[field] = value;
  };
  for (const [field, kind] of MEDIA_FIELD_LIST) {
    const value = req[field];
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      const mapped = value.map((v, i) => fn(v, `${field}[${i}]`, kind));
      if (mapped.some((v, i) => v !== value[i])) set(field, mapped);
    } else {
      const mapped = fn(value, field, kind);
      if (mapped !== value) set(field, mapped);
    }
  }
  if (req.kling_elements) {
    let changed = false;
    const elements = req.kling_elements.map((el, i) => {
      const urls = el.element_input_urls.map((u, j) => fn(u, `kling_elements[${i}].element_input_urls[${j}]`, 'image'));
      if (urls.some((u, j) => u !== el.element_input_urls[j])) changed = true;
      return { ...el, element_input_urls: urls };
    });
    if (changed) set('kling_elements', elements);
  }
  return out === undefined ? req : (out as unknown as VideoRequest);
}

/**
 * Checks every input (see checkMediaInput: as sent, so a refusal quotes the type the caller
 * declared) and the callback URL; returns the request with every inline input declared under its
 * type's registered name (`data:image/jpg;…` → `data:image/jpeg;…`, media/sniff.ts), so that every
 * upstream gets the standard spelling: those sent the data: URL itself (xAI, Seedance, MiniMax,
 * DashScope) as well as those whose adapter decodes it (parseDataUrl already names the registered
 * type for Kling, Google, OpenAI, Vidu). Whether the pass-through providers would take image/jpg is
 * not documented either way; we do not rely on it. The two spellings are one request to
 * idempotency. A request with none to rename comes back as the same object.
 */
function checkMediaInputs(req: VideoRequest, policy: InputPolicy): VideoRequest {
  const registered = mapMediaInputs(req, (value, param, kind) => {
    checkMediaInput(param, value, kind, policy);
    return withRegisteredType(value);
  });
  if (req.callback_url !== undefined) {
    const u = req.callback_url;
    if (u.length > MAX_CALLBACK_URL_LENGTH) throw badRequest('callback_url', `callback_url must be at most ${MAX_CALLBACK_URL_LENGTH} characters.`, 'invalid_url');
    const problem = u.startsWith('data:') ? 'must be an https URL' : checkInputUrlSyntax(u, policy.allowPrivate);
    if (problem) throw badRequest('callback_url', `callback_url: ${problem}`, 'invalid_url');
  }
  return registered;
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
 * `parsed`: the request as parsed, before the model's defaults (what idempotency compares), its
 * inline media declared under registered type names; `asSent`: the request before that renaming,
 * only where it renamed something (an idempotency record stored before the renaming holds its
 * fingerprint, see request-fingerprint.ts).
 */
export function planTask(body: unknown, key: ApiKey, catalog: Catalog, opts: { allowPrivateNetwork: boolean; now_ms: number }): { task: NewTask; parsed: VideoRequest; asSent?: VideoRequest } {
  const asSent = parseVideoRequest(body, (r) => {
    const named = catalog.get(r.model);
    return inferOperation(r, named ? modelFacts(named).operations : []);
  });
  const spec = catalog.get(asSent.model);
  if (!spec) throw modelNotFound(asSent.model, 400, catalog.suggest(asSent.model));
  validateForModel(asSent, spec);
  // Checked as sent, so a refusal quotes the type the caller declared; stored under registered names.
  const parsed = checkMediaInputs(asSent, { allowPrivate: opts.allowPrivateNetwork, spec });
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
  return parsed === asSent ? { task, parsed } : { task, parsed, asSent };
}
