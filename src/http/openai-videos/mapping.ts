import { badRequest } from '../../contract/errors.js';
import { clip, preview } from '../../contract/preview.js';
import type { Catalog } from '../../catalog/catalog.js';
import { isGenericContentType, sniffMimeType } from '../../media/sniff.js';
import type { ModelSpec } from '../../catalog/types.js';
import type { Task } from '../../store/types.js';
import { publicStatus, videoExpiresAt } from '../../tasks/view.js';

/**
 * The OpenAI Videos API shape (what the official `openai` SDKs send and expect), mapped onto
 * Vidgate's own create request and task. Pure: no I/O.
 */

/** An uploaded file, already read (multipart). */
export interface Upload {
  type: string;
  bytes: Buffer;
}

export type OpenAICreateBody = Record<string, unknown>;

const ACCEPTED = ['model', 'prompt', 'seconds', 'size', 'input_reference'];
const DEFAULT_MODEL = 'sora-2';
/** OpenAI's documented default size for a create without one, for every Sora model (see SOURCES.md). */
const OPENAI_DEFAULT_SIZE = '720x1280';

/** Short side in pixels of each resolution. */
const SHORT_SIDE: Record<string, number> = { '480p': 480, '720p': 720, '1080p': 1080, '4k': 2160 };

/** The nominal WIDTHxHEIGHT of an aspect ratio at a resolution (16:9 at 720p → 1280x720). */
export function nominalSize(aspectRatio: string, resolution: string): string | null {
  const short = SHORT_SIDE[resolution];
  const m = /^(\d+):(\d+)$/.exec(aspectRatio);
  if (!short || !m) return null;
  const [a, b] = [Number(m[1]), Number(m[2])];
  const long = Math.round((short * Math.max(a, b)) / Math.min(a, b) / 2) * 2;
  return a >= b ? `${long}x${short}` : `${short}x${long}`;
}

/** The shapes a model's operation can render, as sizes. */
function sizesFor(aspectRatios: readonly string[], resolutions: readonly string[]): string[] {
  return resolutions.flatMap((r) => aspectRatios.map((ar) => nominalSize(ar, r))).filter((s): s is string => s !== null);
}

/** WIDTHxHEIGHT → the model's aspect ratio and resolution, or a 400 naming `size` and what it can make. */
function shapeFromSize(size: string, spec: ModelSpec, operation: string): { aspect_ratio: string; resolution: string } {
  const op = spec.operations.find((o) => o.operation === operation) ?? spec.operations[0];
  const ratios = (op?.aspect_ratios ?? spec.aspect_ratios).filter((r) => r !== 'adaptive');
  const resolutions = op?.resolutions ?? spec.resolutions;
  const allowed = sizesFor(ratios, resolutions);
  if (allowed.length === 0) throw badRequest('size', `${spec.id} makes a video the shape of its source; omit size.`, 'invalid_value');
  const m = /^(\d{2,5})x(\d{2,5})$/.exec(size);
  const refuse = () => badRequest('size', `${spec.id} cannot make size '${size}'. Sizes it makes: ${allowed.join(', ')}.`, 'invalid_value', { allowed_sizes: allowed });
  if (!m) throw badRequest('size', `size must look like 1280x720 (WIDTHxHEIGHT). Sizes ${spec.id} makes: ${allowed.join(', ')}.`, 'invalid_value', { allowed_sizes: allowed });
  const [w, h] = [Number(m[1]), Number(m[2])];
  const resolution = resolutions.find((r) => SHORT_SIDE[r] === Math.min(w, h));
  const aspect = ratios.find((r) => {
    const [a, b] = r.split(':').map(Number);
    return Math.abs(w / h - a / b) / (a / b) < 0.01;
  });
  if (!resolution || !aspect) throw refuse();
  return { aspect_ratio: aspect, resolution };
}

function dataUrl(upload: Upload): string {
  return `data:${upload.type};base64,${upload.bytes.toString('base64')}`;
}

/** input_reference: an uploaded file, `{image_url}`, or a URL string → the media field it fills. */
function referenceInput(value: unknown): { field: 'image_url' | 'video_url'; url: string } {
  if (value && typeof value === 'object' && 'bytes' in value) {
    const declared = value as Upload;
    // Node's openai SDK sends a file stream without a part type (application/octet-stream): the bytes say what it is.
    const upload = isGenericContentType(declared.type) ? { ...declared, type: sniffMimeType(declared.bytes) ?? declared.type } : declared;
    if (upload.type.startsWith('video/')) return { field: 'video_url', url: dataUrl(upload) };
    if (upload.type.startsWith('image/')) return { field: 'image_url', url: dataUrl(upload) };
    throw badRequest('input_reference', `input_reference must be an image or a video file (got ${upload.type || 'an unknown type'}).`, 'invalid_value');
  }
  if (typeof value === 'string') return { field: 'image_url', url: value };
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    if (typeof o.image_url === 'string' && Object.keys(o).length === 1) return { field: 'image_url', url: o.image_url };
    if ('file_id' in o) throw badRequest('input_reference', 'input_reference.file_id is not supported here: upload the file itself (multipart) or send {"image_url": "https://…"}.', 'unsupported_parameter');
  }
  throw badRequest('input_reference', 'input_reference must be an uploaded image, or {"image_url": "https://…"}.', 'invalid_value');
}

/**
 * OpenAI create body → Vidgate's create request. `seconds` → duration; `size` → aspect ratio and
 * resolution (models that take a `size` themselves, like Sora, get it as it is, or OpenAI's default
 * when it is omitted); `input_reference` → the first frame (or source video).
 */
export function toCreateRequest(body: OpenAICreateBody, catalog: Catalog): Record<string, unknown> {
  for (const k of Object.keys(body)) {
    if (!ACCEPTED.includes(k)) throw badRequest(clip(k), `Unknown parameter '${clip(k)}'. Accepted: ${ACCEPTED.join(', ')}.`, 'unknown_parameter');
  }
  const model = body.model ?? DEFAULT_MODEL;
  if (typeof model !== 'string') throw badRequest('model', 'model must be a string (a model id from GET /v1/models).', 'invalid_type');
  const out: Record<string, unknown> = { model };
  if (body.prompt !== undefined) out.prompt = body.prompt;
  if (body.seconds !== undefined) {
    const s = body.seconds;
    const n = typeof s === 'number' ? s : typeof s === 'string' && /^-?\d+$/.test(s.trim()) ? Number(s) : NaN;
    if (!Number.isInteger(n)) throw badRequest('seconds', `seconds must be a whole number of seconds, like "8" (got ${preview(s)}).`, 'invalid_value');
    out.duration = n;
  }
  let operation = 'text-to-video';
  if (body.input_reference !== undefined) {
    const ref = referenceInput(body.input_reference);
    out[ref.field] = ref.url;
    operation = ref.field === 'video_url' ? 'video-to-video' : 'image-to-video';
  }
  const spec = catalog.get(model);
  const takesSize = spec?.supported_parameters.includes('size') ?? false;
  if (body.size !== undefined) {
    if (typeof body.size !== 'string') throw badRequest('size', 'size must be a string like "1280x720".', 'invalid_type');
    if (takesSize) out.size = body.size;
    else if (spec) Object.assign(out, shapeFromSize(body.size, spec, operation));
  } else if (takesSize) {
    // OpenAI's own default, not the catalog's 16:9 (which the TokenLab route keeps); other models keep theirs.
    out.size = OPENAI_DEFAULT_SIZE;
  }
  return out;
}

const OPENAI_STATUS = { pending: 'queued', processing: 'in_progress', completed: 'completed', failed: 'failed' } as const;

/** A failed task's error as the Video object shows it. */
export function videoError(task: Task): { code: string; message: string } {
  return { code: task.error?.code ?? 'upstream_error', message: task.error?.message ?? 'The task failed.' };
}

/** A task as an OpenAI Video object. */
export function openAIVideo(task: Task, retentionSeconds: number): Record<string, unknown> {
  const status = publicStatus(task.state);
  const sec = (ms: number) => Math.floor(ms / 1000);
  const req = task.request;
  const size = task.video ? `${task.video.width}x${task.video.height}` : (req.size ?? nominalSize(req.aspect_ratio, req.resolution) ?? '');
  // -1 (Seedance: the model chooses) or no duration at all: the length produced, once there is one.
  const produced = task.video ? Math.round(task.video.duration_s) : undefined;
  const seconds = req.duration !== undefined && req.duration > 0 ? req.duration : (produced ?? req.duration ?? 0);
  return {
    id: task.id,
    object: 'video',
    model: task.model,
    status: OPENAI_STATUS[status],
    progress: status === 'completed' ? 100 : status === 'processing' ? (task.progress ?? 0) : 0,
    seconds: String(seconds),
    size,
    created_at: sec(task.created_ms),
    completed_at: status === 'completed' && task.completed_ms !== null ? sec(task.completed_ms) : null,
    // When the file goes, or went (a past time once retention deleted it): see videoExpiresAt.
    expires_at: videoExpiresAt(task, retentionSeconds),
    prompt: req.prompt ?? null,
    remixed_from_video_id: null,
    error: status === 'failed' ? videoError(task) : null,
  };
}
