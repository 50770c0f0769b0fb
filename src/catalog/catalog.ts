import { OPERATIONS, RESOLUTIONS, type Operation } from '../contract/operations.js';
import type { CatalogOverrides, ModelOverride, ModelSpec, PriceSpec } from './types.js';

/**
 * The model inventory after operator overrides. Lookups see enabled models only; all() is for
 * admin views and for telling "disabled" apart from "unknown".
 */
export class Catalog {
  private readonly models: ModelSpec[];
  private readonly byName = new Map<string, ModelSpec>();

  constructor(models: readonly ModelSpec[], overrides: CatalogOverrides = {}) {
    const byId = new Map(models.map((m) => [m.id, m]));
    if (byId.size !== models.length) throw new Error('Catalog: duplicate model id in the built-in inventory');
    checkOverrides(overrides, byId);
    this.models = models.map((m) => applyOverride(m, overrides[m.id]));
    for (const m of this.models) {
      for (const name of [m.id, ...m.aliases]) {
        const taken = this.byName.get(name);
        if (taken && taken.id !== m.id) throw new Error(`Catalog: name '${name}' is used by both '${taken.id}' and '${m.id}'; aliases must be unique`);
        this.byName.set(name, m);
      }
    }
  }

  /** Enabled models, in catalog order. */
  list(): ModelSpec[] {
    return this.models.filter((m) => m.enabled);
  }

  /** Every model, disabled ones included. */
  all(): ModelSpec[] {
    return [...this.models];
  }

  /** A model by public id, disabled ones included (tasks keep pointing at the model they were made with). */
  byId(id: string): ModelSpec | undefined {
    return this.models.find((m) => m.id === id);
  }

  /** An enabled model by public id or alias. */
  get(idOrAlias: string): ModelSpec | undefined {
    const m = this.byName.get(idOrAlias);
    return m?.enabled ? m : undefined;
  }

  /** The closest enabled public id, for did_you_mean; undefined when nothing is close. */
  suggest(id: string): string | undefined {
    const wanted = normalise(id);
    if (!wanted) return undefined;
    let best: { id: string; score: number } | undefined;
    for (const m of this.list()) {
      for (const name of [m.id, ...m.aliases]) {
        const n = normalise(name);
        // Same letters and digits ("veo-3.1", "veo31") beat any edit distance.
        const same = n === wanted || bare(n) === bare(wanted);
        const score = same ? 0 : levenshtein(n, wanted) + (n.startsWith(wanted) || wanted.startsWith(n) ? -0.5 : 0);
        if (!best || score < best.score) best = { id: m.id, score };
      }
    }
    const limit = Math.max(2, Math.floor(wanted.length / 3));
    return best && best.score <= limit ? best.id : undefined;
  }
}

function normalise(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9.]/g, '');
}

function bare(s: string): string {
  return s.replace(/\./g, '');
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

function applyOverride(m: ModelSpec, o: ModelOverride | undefined): ModelSpec {
  if (!o) return m;
  const operations = m.operations.map((spec) => {
    const byOp = o.upstream_model_by_operation?.[spec.operation];
    if (byOp) return { ...spec, upstream_model: byOp };
    // A model-wide override sends every operation to that upstream id.
    if (o.upstream_model) return { ...spec, upstream_model: undefined };
    return spec;
  });
  return {
    ...m,
    enabled: o.enabled ?? m.enabled,
    aliases: o.aliases ? [...new Set([...m.aliases, ...o.aliases])] : m.aliases,
    upstream_model: o.upstream_model ?? m.upstream_model,
    operations,
    pricing: o.pricing ? mergePricing(m.pricing, o.pricing) : m.pricing,
    max_runtime_seconds: o.max_runtime_seconds ?? m.max_runtime_seconds,
    typical_seconds: o.typical_seconds ?? m.typical_seconds,
  };
}

function mergePricing(base: PriceSpec, o: Partial<PriceSpec>): PriceSpec {
  return {
    ...base,
    ...o,
    // An operator price is a contract price, not our estimate, unless they say otherwise.
    source: o.source ?? 'Operator override (configuration)',
    estimate: o.estimate ?? false,
  };
}

/** Config validation: overrides come from untrusted JSON, so check shapes and names, and say what is wrong. */
function checkOverrides(overrides: CatalogOverrides, byId: Map<string, ModelSpec>): void {
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new Error('Catalog overrides must be an object keyed by public model id');
  }
  for (const [id, o] of Object.entries(overrides)) {
    const where = `Catalog override for '${id}'`;
    if (!byId.has(id)) {
      throw new Error(`${where}: unknown model. Known models: ${[...byId.keys()].join(', ')}`);
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error(`${where} must be an object`);
    const allowed = ['enabled', 'aliases', 'upstream_model', 'upstream_model_by_operation', 'pricing', 'max_runtime_seconds', 'typical_seconds'];
    for (const key of Object.keys(o)) {
      if (!allowed.includes(key)) throw new Error(`${where}: unknown field '${key}' (allowed: ${allowed.join(', ')})`);
    }
    if (o.enabled !== undefined && typeof o.enabled !== 'boolean') throw new Error(`${where}: enabled must be true or false`);
    if (o.aliases !== undefined && (!Array.isArray(o.aliases) || o.aliases.some((a) => typeof a !== 'string' || a.trim() === ''))) {
      throw new Error(`${where}: aliases must be an array of non-empty strings`);
    }
    if (o.upstream_model !== undefined && (typeof o.upstream_model !== 'string' || o.upstream_model === '')) {
      throw new Error(`${where}: upstream_model must be a non-empty string`);
    }
    for (const key of ['max_runtime_seconds', 'typical_seconds'] as const) {
      const v = o[key];
      if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 86_400)) {
        throw new Error(`${where}: ${key} must be a whole number of seconds between 1 and 86400`);
      }
    }
    checkByOperation(where, o.upstream_model_by_operation, byId.get(id)!);
    if (o.pricing !== undefined) checkPricing(where, o.pricing);
  }
}

function checkByOperation(where: string, byOp: unknown, m: ModelSpec): void {
  if (byOp === undefined) return;
  if (typeof byOp !== 'object' || byOp === null || Array.isArray(byOp)) throw new Error(`${where}: upstream_model_by_operation must be an object`);
  const ops = m.operations.map((o) => o.operation);
  for (const [k, v] of Object.entries(byOp)) {
    if (!(OPERATIONS as readonly string[]).includes(k) || !ops.includes(k as Operation)) {
      throw new Error(`${where}: upstream_model_by_operation has '${k}', but the model's operations are ${ops.join(', ')}`);
    }
    if (typeof v !== 'string' || v === '') throw new Error(`${where}: upstream_model_by_operation.${k} must be a non-empty string`);
  }
}

function checkPricing(where: string, p: unknown): void {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new Error(`${where}: pricing must be an object`);
  const price = p as Record<string, unknown>;
  const isPrice = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  if (price.unit !== undefined && price.unit !== 'per_second' && price.unit !== 'per_request') {
    throw new Error(`${where}: pricing.unit must be 'per_second' or 'per_request'`);
  }
  if (price.base !== undefined && !isPrice(price.base)) throw new Error(`${where}: pricing.base must be a number ≥ 0 (USD)`);
  for (const key of ['by_resolution', 'with_audio_by_resolution']) {
    const table = price[key];
    if (table === undefined) continue;
    if (typeof table !== 'object' || table === null || Array.isArray(table)) throw new Error(`${where}: pricing.${key} must be an object keyed by resolution`);
    for (const [res, v] of Object.entries(table)) {
      if (!(RESOLUTIONS as readonly string[]).includes(res)) throw new Error(`${where}: pricing.${key} has '${res}'; resolutions are ${RESOLUTIONS.join(', ')}`);
      if (!isPrice(v)) throw new Error(`${where}: pricing.${key}.${res} must be a number ≥ 0 (USD)`);
    }
  }
  if (price.source !== undefined && typeof price.source !== 'string') throw new Error(`${where}: pricing.source must be a string`);
}
