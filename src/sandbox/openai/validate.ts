import { invalidRequest, invalidValue, quoteList } from './errors.js';
import { DEFAULT_MODEL, DEFAULT_SECONDS, DEFAULT_SIZE, findModel, SORA_MODELS, SORA_SECONDS, type SoraModel } from './models.js';

/** Where the reference image of an image-to-video request comes from. */
export type ReferenceInput = { bytes: Buffer; mimeType: string } | { imageUrl: string } | { fileId: string };

/** A create request that passed validation, with defaults applied (image content is checked later). */
export interface SoraCreateSpec {
  model: SoraModel;
  prompt: string;
  seconds: string;
  size: string;
  reference?: ReferenceInput;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const KNOWN = new Set(['model', 'prompt', 'seconds', 'size', 'input_reference']);

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a decimal';
  if (typeof v === 'boolean') return 'a boolean';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

function stringField(body: Json, key: string, expected = 'a string'): string | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalidRequest(`Invalid type for '${key}': expected ${expected}, but got ${typeName(v)} instead.`, key, 'invalid_type');
  return v;
}

/**
 * multipart/form-data → the JSON shape. The SDKs flatten an object value as `input_reference[image_url]`
 * (openai-node `addFormValue`), and send a file as a part with a filename.
 */
export async function formToBody(form: FormData): Promise<Json> {
  const body: Json = {};
  for (const [key, value] of form.entries()) {
    const nested = /^input_reference\[(image_url|file_id)\]$/.exec(key);
    if (nested) {
      const ref = isObject(body.input_reference) ? body.input_reference : {};
      ref[nested[1]] = value;
      body.input_reference = ref;
    } else if (typeof value === 'string') {
      body[key] = value;
    } else {
      body[key] = { bytes: Buffer.from(await value.arrayBuffer()), mimeType: value.type };
    }
  }
  return body;
}

function parseReference(value: unknown): ReferenceInput | undefined {
  if (value === undefined) return undefined;
  if (isObject(value) && Buffer.isBuffer(value.bytes)) return { bytes: value.bytes, mimeType: String(value.mimeType ?? '') };
  if (typeof value === 'string') {
    throw invalidRequest("Invalid type for 'input_reference': expected a file upload or an object with image_url or file_id, but got a string instead.", 'input_reference', 'invalid_type');
  }
  if (!isObject(value)) {
    throw invalidRequest(`Invalid type for 'input_reference': expected a file upload or an object, but got ${typeName(value)} instead.`, 'input_reference', 'invalid_type');
  }
  for (const key of Object.keys(value)) {
    if (key !== 'image_url' && key !== 'file_id') throw invalidRequest(`Unknown parameter: 'input_reference.${key}'.`, `input_reference.${key}`, 'unknown_parameter');
  }
  const imageUrl = stringField(value, 'image_url');
  const fileId = stringField(value, 'file_id');
  if (imageUrl !== undefined && fileId !== undefined) {
    throw invalidRequest("Provide either 'input_reference.image_url' or 'input_reference.file_id', not both.", 'input_reference', 'invalid_value');
  }
  if (imageUrl !== undefined) {
    if (!/^(https?:\/\/|data:image\/)/i.test(imageUrl)) {
      throw invalidRequest("Invalid 'input_reference.image_url': expected a fully qualified URL or a base64-encoded data URL.", 'input_reference.image_url', 'invalid_value');
    }
    return { imageUrl };
  }
  if (fileId !== undefined) return { fileId };
  throw invalidRequest("'input_reference' must include 'image_url' or 'file_id'.", 'input_reference', 'missing_required_parameter');
}

/** Validate a create body (JSON, or multipart turned into the same shape); throws 400 like the Videos API. */
export function parseCreateRequest(body: unknown, retired: (id: string) => boolean = () => false): SoraCreateSpec {
  if (!isObject(body)) throw invalidRequest('The request body must be a JSON object or multipart/form-data.', null, 'invalid_request_body');
  for (const key of Object.keys(body)) {
    if (!KNOWN.has(key)) throw invalidRequest(`Unknown parameter: '${key}'.`, key, 'unknown_parameter');
  }
  const prompt = stringField(body, 'prompt');
  if (prompt === undefined || prompt.trim() === '') throw invalidRequest("Missing required parameter: 'prompt'.", 'prompt', 'missing_required_parameter');
  if (prompt.length > 32_000)
    throw invalidRequest(`Invalid 'prompt': string too long. Expected a string with maximum length 32000, but got a string with length ${prompt.length} instead.`, 'prompt', 'string_above_max_length');

  const modelId = stringField(body, 'model') ?? DEFAULT_MODEL;
  // A retired model is refused like one that never existed.
  const model = retired(modelId) ? undefined : findModel(modelId);
  if (!model)
    throw invalidValue(
      'model',
      modelId,
      SORA_MODELS.map((m) => m.id),
    );

  const seconds = stringField(body, 'seconds', `one of ${quoteList(SORA_SECONDS)}`) ?? DEFAULT_SECONDS;
  if (!(SORA_SECONDS as readonly string[]).includes(seconds)) throw invalidValue('seconds', seconds, SORA_SECONDS);

  const size = stringField(body, 'size') ?? DEFAULT_SIZE;
  if (!model.sizes.includes(size)) throw invalidValue('size', size, model.sizes, ` for ${model.id}`);

  return { model, prompt, seconds, size, reference: parseReference(body.input_reference) };
}

export function sizeOf(size: string): { width: number; height: number } {
  const [width, height] = size.split('x').map(Number);
  return { width, height };
}
