import { ApiError } from '../../contract/errors.js';

/**
 * A create error in the OpenAI caller's vocabulary. Their create has only model, prompt, seconds,
 * size and input_reference; the shared validation names our fields (duration, resolution…). One
 * table renames both the `param` and the fields a message names, so the two always agree.
 */
type Rename = { field: string; shape?: true };

const OPENAI_FIELDS: Record<string, Rename> = {
  duration: { field: 'seconds' },
  // Part of a size: "resolution 720p" reads "a 720p size".
  aspect_ratio: { field: 'size', shape: true },
  resolution: { field: 'size', shape: true },
  image_url: { field: 'input_reference' },
  video_url: { field: 'input_reference' },
  // The operation follows from input_reference; its refusal is worded by operationRefusal.
  operation: { field: 'input_reference' },
};

/** What input_reference each operation this route can request takes. */
const REFERENCE_OF: Record<string, string> = { 'text-to-video': 'none', 'image-to-video': 'an image', 'video-to-video': 'a video' };

const SHAPE_VALUE = String.raw`'?(\d+p|\d+k|\d+:\d+)'?`;

function renameFields(message: string): string {
  let out = message;
  for (const [ours, { field, shape }] of Object.entries(OPENAI_FIELDS)) {
    if (ours === 'operation') continue; // "operation" is also plain English in our messages
    if (shape) out = out.replace(new RegExp(String.raw`\b${ours} ${SHAPE_VALUE}`, 'g'), `a $1 ${field}`);
    out = out.replace(new RegExp(String.raw`\b${ours}\b`, 'g'), field);
  }
  return out;
}

/** The model cannot do what the input_reference sent (or its absence) implies: say what it takes instead. */
function operationRefusal(err: ApiError, request: Record<string, unknown>): string {
  const model = String(err.extras.model ?? request.model);
  const sent = request.video_url !== undefined ? 'from a video input_reference' : request.image_url !== undefined ? 'from an image input_reference' : 'without an input_reference';
  const supported = Array.isArray(err.extras.supported_operations) ? (err.extras.supported_operations as string[]) : [];
  const reachable = supported.filter((op) => op in REFERENCE_OF);
  if (reachable.length === 0) return `Model '${model}' cannot make a video ${sent}: it makes ${supported.join(', ')}, which only POST /v1/videos/generations can ask for.`;
  return `Model '${model}' cannot make a video ${sent}. As input_reference it takes: ${reachable.map((op) => `${REFERENCE_OF[op]} (${op})`).join(', ')}. Or choose another model.`;
}

/** `request`: what the OpenAI body was mapped to (it tells which input_reference was sent). */
export function inOpenAITerms(err: unknown, request: Record<string, unknown> = {}): unknown {
  if (!(err instanceof ApiError) || err.param === null) return err;
  const [head, ...rest] = err.param.split(/(?=[.[])/);
  const rename = OPENAI_FIELDS[head];
  if (!rename) return err;
  const message = head === 'operation' ? operationRefusal(err, request) : renameFields(err.message);
  return new ApiError(err.status, err.type, err.code, message, rename.field + rest.join(''), err.extras, err.headers);
}
