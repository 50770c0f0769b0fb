import { badRequest, ApiError } from './errors.js';
import { isOperation, type Operation } from './operations.js';
import { clip, preview } from './preview.js';
import { ALIASES, FIELD_RULES, KNOWN_FIELDS, type FieldRule } from './request-fields.js';
import type { KlingElement, VideoRequest } from './video-request.js';

type Json = Record<string, unknown>;

/** Every name a body may use (fields and aliases), looked up once per field sent. */
const KNOWN: ReadonlySet<string> = new Set(KNOWN_FIELDS);

/**
 * Turns a raw JSON body into a VideoRequest: known fields only, types and ranges as the
 * OpenAPI schema says, aliases folded (and checked to agree). Per-model rules come later.
 * `inferOperation` is given the model's operations so an omitted `operation` is inferred sensibly.
 */
export function parseVideoRequest(body: unknown, inferOperation: (inputs: VideoRequest) => Operation): VideoRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest(null, 'The request body must be a JSON object, e.g. {"model":"veo3.1","prompt":"..."}.', 'invalid_json');
  }
  const raw = body as Json;
  const canonical: Json = {};
  const sentVia: Record<string, string> = {};
  // The canonical names in the order first sent: the request's `sent`.
  const sent: string[] = [];

  for (const key of Object.keys(raw)) {
    if (!KNOWN.has(key)) {
      const hint = suggestField(key);
      throw badRequest(
        clip(key),
        `Unknown parameter '${clip(key)}'.${hint ? ` Did you mean '${hint}'?` : ''} See GET /v1/models/{model} for the parameters a model supports.`,
        'unknown_parameter',
        hint ? { did_you_mean: hint } : {},
      );
    }
    const value = raw[key];
    if (value === null) continue; // null means "not sent", as most JSON clients serialise optional fields
    const name = ALIASES[key] ?? key;
    checkField(key, value, FIELD_RULES[name]);
    const via = sentVia[name];
    if (via !== undefined) {
      if (!sameValue(canonical[name], value)) {
        throw badRequest(key, `'${key}' and '${via}' are the same parameter and must agree (got ${preview(value)} and ${preview(canonical[name])}). Send only '${name}'.`, 'conflicting_parameters');
      }
      continue;
    }
    canonical[name] = value;
    sentVia[name] = key;
    sent.push(name);
  }

  if (canonical.model === undefined) {
    throw new ApiError(400, 'invalid_request_error', 'missing_required_parameter', 'model: Model is required. List models with GET /v1/models.', 'model', {}, {});
  }

  // `canonical` is ours alone: it becomes the request (same keys, same order as a copy would have).
  canonical.sent = sent;
  const req = canonical as unknown as VideoRequest;
  req.operation_explicit = isOperation(canonical.operation);
  if (!req.operation_explicit) req.operation = inferOperation(req);
  return req;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function typeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v;
}

function checkField(key: string, value: unknown, rule: FieldRule): void {
  const bad = (expected: string): never => {
    throw badRequest(key, `'${key}' must be ${expected}; got ${describe(value)}.`, 'invalid_type');
  };
  switch (rule.kind) {
    case 'string':
      if (typeof value !== 'string') bad('a string');
      checkLength(key, value as string, rule.minLength, rule.maxLength);
      return;
    case 'uri':
      if (typeof value !== 'string') bad('a URL string');
      if (!looksLikeUrl(value as string)) throw badRequest(key, `'${key}' must be an absolute https URL (or a data: URL where the model accepts inline media).`, 'invalid_url');
      return;
    case 'enum':
      if (typeof value !== 'string' || !rule.values.includes(value)) {
        throw badRequest(key, `'${key}' must be one of ${rule.values.join(', ')}; got ${describe(value)}.`, 'invalid_value', { allowed_values: [...rule.values] });
      }
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) bad('an integer');
      checkRange(key, value as number, rule.min, rule.max);
      return;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) bad('a number');
      checkRange(key, value as number, rule.min, rule.max);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') bad('true or false');
      return;
    case 'string[]':
      checkStringArray(key, value, rule.minItems, rule.maxItems, rule.uri ?? false);
      return;
    case 'kling_elements':
      checkKlingElements(key, value);
      return;
  }
}

function describe(v: unknown): string {
  return `${typeName(v)} ${preview(v)}`;
}

function checkLength(key: string, v: string, min?: number, max?: number): void {
  if (min !== undefined && v.length < min) throw badRequest(key, `'${key}' must not be empty.`, 'invalid_value');
  if (max !== undefined && v.length > max) throw badRequest(key, `'${key}' is too long: at most ${max} characters.`, 'invalid_value');
}

function checkRange(key: string, v: number, min?: number, max?: number): void {
  if ((min !== undefined && v < min) || (max !== undefined && v > max)) {
    const range = min !== undefined && max !== undefined ? `between ${min} and ${max}` : min !== undefined ? `at least ${min}` : `at most ${max}`;
    throw badRequest(key, `'${key}' must be ${range}; got ${v}.`, 'invalid_value');
  }
}

function checkStringArray(key: string, value: unknown, min: number, max: number, uri: boolean): void {
  if (!Array.isArray(value)) throw badRequest(key, `'${key}' must be an array of strings; got ${describe(value)}.`, 'invalid_type');
  if (value.length < min || value.length > max) throw badRequest(key, `'${key}' must have between ${min} and ${max} items; got ${value.length}.`, 'invalid_value');
  value.forEach((item, i) => {
    if (typeof item !== 'string' || item.length === 0) throw badRequest(`${key}[${i}]`, `'${key}[${i}]' must be a non-empty string.`, 'invalid_type');
    if (uri && !looksLikeUrl(item)) throw badRequest(`${key}[${i}]`, `'${key}[${i}]' must be an absolute https URL.`, 'invalid_url');
  });
}

function checkKlingElements(key: string, value: unknown): void {
  if (!Array.isArray(value) || value.length < 1 || value.length > 3) {
    throw badRequest(key, `'${key}' must be an array of 1 to 3 elements {name, description?, element_input_urls[2..4]}.`, 'invalid_value');
  }
  value.forEach((el, i) => {
    const at = `${key}[${i}]`;
    if (typeof el !== 'object' || el === null || Array.isArray(el)) throw badRequest(at, `'${at}' must be an object {name, description?, element_input_urls}.`, 'invalid_type');
    const e = el as Record<string, unknown>;
    for (const k of Object.keys(e)) {
      if (!['name', 'description', 'element_input_urls'].includes(k)) throw badRequest(`${at}.${k}`, `'${at}' accepts only name, description and element_input_urls; remove '${k}'.`, 'unknown_parameter');
    }
    if (typeof e.name !== 'string' || e.name.length < 1 || e.name.length > 64 || e.name.startsWith('@')) {
      throw badRequest(`${at}.name`, `'${at}.name' must be 1–64 characters, written without '@' (refer to it as @name in the prompt).`, 'invalid_value');
    }
    if (e.description !== undefined && (typeof e.description !== 'string' || e.description.length < 1 || e.description.length > 500)) {
      throw badRequest(`${at}.description`, `'${at}.description' must be 1–500 characters.`, 'invalid_value');
    }
    checkStringArray(`${at}.element_input_urls`, e.element_input_urls, 2, 4, true);
  });
}

function looksLikeUrl(v: string): boolean {
  if (v.startsWith('data:')) return true;
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Closest known field name by edit distance, for "did you mean". */
function suggestField(key: string): string | undefined {
  const norm = key.toLowerCase().replace(/[-\s]/g, '_');
  let best: string | undefined;
  let bestD = 3;
  for (const f of KNOWN_FIELDS) {
    const d = editDistance(norm, f.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = f;
    }
  }
  return best;
}

export function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

export type { KlingElement };
