import { invalidInput } from './errors.js';

/** A POST /video/ body that passed validation. */
export interface TopazCreateSpec {
  source: { container: string; size: number; duration: number; frameRate: number; frameCount: number; width: number; height: number };
  output: { container: string; width: number; height: number; frameRate: number; audioTransfer: string; audioCodec: string };
  filters: Array<{ model: string }>;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const CONTAINERS = ['mp4', 'mov', 'mkv'];
const AUDIO_CODECS = ['AAC', 'AC3', 'PCM'];
const AUDIO_TRANSFERS = ['Copy', 'Convert', 'None'];
const COMPRESSION = ['Low', 'Mid', 'High'];
/** Enhancement / interpolation models the simulator knows (§5.3); others are refused. */
export const FILTER_MODELS = ['prob-4', 'ahq-12', 'amq-13', 'alq-13', 'nyx-3', 'rhea-1', 'iris-3', 'thf-4', 'slp-2.6', 'slf-1', 'slhq-1', 'slm-1', 'apo-8', 'chr-2', 'chf-3'];
const MAX_SIDE = 8192;

function positive(obj: Json, key: string, path: string, integer = false): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw invalidInput(`${path}.${key}`, `must be a positive ${integer ? 'integer' : 'number'}`);
  }
  return v;
}

function resolution(obj: Json, path: string): { width: number; height: number } {
  const r = obj.resolution;
  if (!isObject(r)) throw invalidInput(`${path}.resolution`, 'is required ({width, height})');
  const width = positive(r, 'width', `${path}.resolution`, true);
  const height = positive(r, 'height', `${path}.resolution`, true);
  if (width > MAX_SIDE || height > MAX_SIDE) throw invalidInput(`${path}.resolution`, `sides above ${MAX_SIDE} px are not supported`);
  return { width, height };
}

function oneOf(obj: Json, key: string, path: string, allowed: string[], fallback: string): string {
  const v = obj[key] ?? fallback;
  if (typeof v !== 'string' || !allowed.includes(v)) throw invalidInput(`${path}.${key}`, `must be one of ${allowed.join(', ')}`);
  return v;
}

/** Validates like the Topaz API: 400 `{message}` naming the path of the first bad field. */
export function parseCreateRequest(body: unknown, retired: (model: string) => boolean = () => false): TopazCreateSpec {
  if (!isObject(body)) throw invalidInput('body', 'must be a JSON object');
  const { source, output, filters } = body;
  if (!isObject(source)) throw invalidInput('source', 'is required');
  if (!isObject(output)) throw invalidInput('output', 'is required');
  const src = {
    container: oneOf(source, 'container', 'source', CONTAINERS, ''),
    size: positive(source, 'size', 'source', true),
    duration: positive(source, 'duration', 'source'),
    frameRate: positive(source, 'frameRate', 'source'),
    frameCount: positive(source, 'frameCount', 'source', true),
    ...resolution(source, 'source'),
  };
  const out = {
    container: oneOf(output, 'container', 'output', CONTAINERS, 'mp4'),
    ...resolution(output, 'output'),
    frameRate: output.frameRate === undefined ? src.frameRate : positive(output, 'frameRate', 'output'),
    audioCodec: oneOf(output, 'audioCodec', 'output', AUDIO_CODECS, 'AAC'),
    audioTransfer: oneOf(output, 'audioTransfer', 'output', AUDIO_TRANSFERS, 'Copy'),
  };
  oneOf(output, 'dynamicCompressionLevel', 'output', COMPRESSION, 'Mid');
  if (out.frameRate > 120) throw invalidInput('output.frameRate', 'must be at most 120');
  if (!Array.isArray(filters) || filters.length === 0) throw invalidInput('filters', 'at least one filter is required');
  const parsed = filters.map((f, i) => {
    if (!isObject(f) || typeof f.model !== 'string') throw invalidInput(`filters.${i}.model`, 'is required');
    if (!FILTER_MODELS.includes(f.model) || retired(f.model)) throw invalidInput(`filters.${i}.model`, `unknown model '${f.model}'; known: ${FILTER_MODELS.join(', ')}`);
    return { model: f.model };
  });
  return { source: src, output: out, filters: parsed };
}

/** [low, high] credits, proportional to output pixels × seconds (the shape of §5.3's estimates). */
export function estimatesFor(spec: TopazCreateSpec): { cost: [number, number]; time: [number, number] } {
  const megapixelSeconds = (spec.output.width * spec.output.height * spec.source.duration) / 1e6;
  const low = Math.max(1, Math.ceil(megapixelSeconds / 4));
  const seconds = Math.max(10, Math.ceil(megapixelSeconds * 2));
  return { cost: [low, Math.ceil(low * 1.3)], time: [seconds, seconds * 2] };
}
