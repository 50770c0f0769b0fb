import type { Operation } from '../contract/operations.js';
import { constraintsFor, durationLabels, type OperationConstraints } from './constraints.js';
import { soraSizes } from './family-rules.js';
import { REQUEST_ENDPOINT, UNIVERSAL_PARAMETERS } from './parameters.js';
import { lifecycleAt } from './lifecycle.js';
import { priceRange, usdString } from './pricing.js';
import type { ModelSpec } from './types.js';

/*
 * The public JSON shapes of the Models and Pricing APIs (tokenlab-openapi-video.json), built from a
 * ModelSpec. Pure: the HTTP room wraps them in {object:"list", data:[...]} etc.
 */

/** Fallback `created` when a model has no known release date: 2026-01-01T00:00:00Z (catalog build epoch). */
const CATALOG_EPOCH = 1767225600;
const STATUS_MODE = 'async_task';
const REQUEST_SHAPE_MODE = 'tokenlab_video_generation';
const STATUS_ENDPOINT = '/v1/tasks/{id}';

function isoDate(d: string | null | undefined): string | null {
  if (!d) return null;
  return d.length === 10 ? `${d}T00:00:00Z` : d;
}

function created(spec: ModelSpec): number {
  const iso = isoDate(spec.released_at);
  return iso ? Math.floor(Date.parse(iso) / 1000) : CATALOG_EPOCH;
}

function operations(spec: ModelSpec): Operation[] {
  return spec.operations.map((o) => o.operation);
}

function capabilities(spec: ModelSpec): string[] {
  return ['video', ...operations(spec)];
}

function hasComplexPricing(spec: ModelSpec): boolean {
  const { by_resolution, with_audio_by_resolution } = spec.pricing;
  const distinct = new Set([spec.pricing.base, ...Object.values(by_resolution ?? {}), ...Object.values(with_audio_by_resolution ?? {})]);
  return distinct.size > 1;
}

function priceTable(t: Partial<Record<string, number>> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(t ?? {}).map(([k, v]) => [k, usdString(v ?? 0)]));
}

/** Free-form `tokenlab.pricing`: the unit price and its tiers, as decimal strings. */
function pricingObject(spec: ModelSpec): Record<string, unknown> {
  const p = spec.pricing;
  return {
    unit: p.unit,
    currency: 'USD',
    [p.unit === 'per_second' ? 'price_per_second' : 'price_per_request']: usdString(p.base),
    by_resolution: priceTable(p.by_resolution),
    ...(p.with_audio_by_resolution ? { with_audio_by_resolution: priceTable(p.with_audio_by_resolution) } : {}),
    estimate: p.estimate === true,
  };
}

function pricingSummary(spec: ModelSpec): Record<string, unknown> {
  const p = spec.pricing;
  const { min, max } = priceRange(spec);
  const tiers = spec.resolutions.map((r) => `${r} $${usdString(p.by_resolution?.[r] ?? p.base)}`).join(', ');
  const audioTiers = p.with_audio_by_resolution && Object.keys(p.with_audio_by_resolution).length > 0;
  const audio = audioTiers
    ? `; with audio ${Object.entries(p.with_audio_by_resolution!)
        .map(([r, v]) => `${r} $${usdString(v ?? 0)}`)
        .join(', ')}`
    : '';
  const rendered = Object.entries(spec.duration_rendered_as ?? {}).map(([asked, made]) => `${asked} s is rendered and billed as ${made} s`);
  const text =
    p.unit === 'per_second'
      ? `USD per second of generated video, by output resolution${audioTiers ? ', without audio' : ''}: ${tiers}${audio}. Cost = seconds × price; reserved at create from the requested duration${rendered.length ? ` (${rendered.join(', ')})` : ''}, settled from the delivered video.`
      : `USD per request: $${usdString(p.base)}.`;
  return {
    unit: p.unit === 'per_second' ? 'second' : 'request',
    currency: 'USD',
    description: text,
    per_resolution: Object.fromEntries(spec.resolutions.map((r) => [r, usdString(p.by_resolution?.[r] ?? p.base)])),
    ...(p.with_audio_by_resolution ? { per_resolution_with_audio: priceTable(p.with_audio_by_resolution) } : {}),
    min_price: usdString(min),
    max_price: usdString(max),
    estimate: p.estimate === true,
  };
}

function pricingProvenance(spec: ModelSpec): Record<string, unknown> {
  return { source: spec.pricing.source, estimate: spec.pricing.estimate === true, currency: 'USD' };
}

function lifecycle(spec: ModelSpec, nowMs: number) {
  const view = lifecycleAt(spec, nowMs);
  return {
    stage: view.stage,
    reason: view.reason,
    replacement_model: view.replacement_model,
    released_at: isoDate(spec.released_at),
    deprecated_at: view.deprecated_at,
    retired_at: view.retired_at,
    sunset_at: view.sunset_at,
    latest: false,
    latest_source: 'none' as const,
    latest_window_days: null,
  };
}

const COMMERCIAL = { user_charge_policy: 'paid' as const, free_reason: null, free_until: null };

function badges(spec: ModelSpec, nowMs: number) {
  const view = lifecycleAt(spec, nowMs);
  const values: Record<string, string> = {};
  if (view.sunset_at) values.sunset_at = view.sunset_at;
  if (view.replacement_model) values.replacement_model = view.replacement_model;
  if (view.stage === 'retired') return [{ key: 'retired' as const, tone: 'red' as const, priority: 30, tooltip: { key: 'badge.retired', values } }];
  if (view.stage === 'deprecated') return [{ key: 'deprecated' as const, tone: 'amber' as const, priority: 20, tooltip: { key: 'badge.deprecated', values } }];
  if (view.stage === 'preview') return [{ key: 'preview' as const, tone: 'blue' as const, priority: 10, tooltip: { key: 'badge.preview', values } }];
  return [];
}

function endpointByOperation(spec: ModelSpec): Record<string, string> {
  return Object.fromEntries(operations(spec).map((o) => [o, REQUEST_ENDPOINT]));
}

/** The discovery fields the list item and the detail share (in the order TokenLab writes them). */
function tokenlabCore(spec: ModelSpec, nowMs: number) {
  return {
    aliases: [...spec.aliases],
    pricing: pricingObject(spec),
    capabilities: capabilities(spec),
    providers: [spec.provider],
    max_input_tokens: null,
    max_output_tokens: null,
    category: 'video',
    pricing_unit: spec.pricing.unit,
    cache_pricing: null,
    has_complex_pricing: hasComplexPricing(spec),
    pricing_summary: pricingSummary(spec),
    lifecycle: lifecycle(spec, nowMs),
    commercial: COMMERCIAL,
    badges: badges(spec, nowMs),
  };
}

function modelEnvelope<T>(spec: ModelSpec, tokenlab: T) {
  return { id: spec.id, object: 'model' as const, created: created(spec), owned_by: spec.owned_by, tokenlab };
}

/** GET /v1/models item (view=full): exactly the ModelListItem properties. */
export function modelListItem(spec: ModelSpec, nowMs: number = Date.now()) {
  return modelEnvelope(spec, {
    ...tokenlabCore(spec, nowMs),
    request_format_summary: {
      public_operations: operations(spec),
      request_endpoint: REQUEST_ENDPOINT,
      request_endpoint_by_operation: endpointByOperation(spec),
    },
  });
}

/** GET /v1/models?view=compact item: CompactModelListItem (price values are strings). */
export function compactModelItem(spec: ModelSpec, nowMs: number = Date.now()) {
  const { min, max } = priceRange(spec);
  return {
    id: spec.id,
    provider: spec.owned_by,
    category: 'video',
    capabilities: capabilities(spec),
    max_input_tokens: null,
    max_output_tokens: null,
    pricing: {
      unit: spec.pricing.unit,
      currency: 'USD' as const,
      ...(spec.pricing.unit === 'per_request' ? { per_request: usdString(spec.pricing.base) } : {}),
      min_price: usdString(min),
      max_price: usdString(max),
      has_complex_pricing: hasComplexPricing(spec),
    },
    status: lifecycleAt(spec, nowMs).stage,
    latest: false,
    supported_operations: operations(spec),
    request_endpoint: REQUEST_ENDPOINT,
  };
}

function selectorsFor(c: OperationConstraints) {
  const required = c.required.map((g) => g.join(' | '));
  const requiredNames = new Set(['model', ...c.required.flat()]);
  const optional = c.supported_parameters.filter((p) => !requiredNames.has(p));
  return { required: ['model', ...required], optional };
}

function operationConstraint(c: OperationConstraints) {
  const s = selectorsFor(c);
  const fixed = (p: string) => !c.supported_parameters.includes(p);
  const notes = [...c.notes];
  if (fixed('duration')) notes.push('duration is not selectable: the output follows the source.');
  if (!c.audio.configurable) notes.push(c.audio.default ? 'Audio is always generated.' : 'Output is silent.');
  else notes.push(`output_audio defaults to ${c.audio.default}.`);
  return {
    operation: c.operation,
    request_endpoint: REQUEST_ENDPOINT,
    request_shape_mode: REQUEST_SHAPE_MODE,
    status_mode: STATUS_MODE,
    supported_parameters: c.supported_parameters,
    required_selectors: s.required,
    optional_selectors: s.optional,
    documented_inputs: c.inputs,
    allowed_resolutions: fixed('resolution') ? [] : [...c.resolutions],
    allowed_durations: fixed('duration') ? [] : durationLabels(c.durations),
    allowed_aspect_ratios: fixed('aspect_ratio') ? [] : [...c.aspect_ratios],
    notes,
  };
}

function recommendedRequest(spec: ModelSpec, c: OperationConstraints): Record<string, unknown> {
  const req: Record<string, unknown> = { model: spec.id, operation: c.operation };
  if (c.operation !== 'video-to-video') req.prompt = 'A slow dolly shot across a misty harbor at dawn';
  for (const group of c.required) {
    const p = group[0];
    if (p === 'prompt' || p === 'model') continue;
    req[p] = p === 'video_url' ? 'https://example.com/input.mp4' : p === 'reference_images' || p === 'image_urls' ? ['https://example.com/ref-1.jpg'] : 'https://example.com/image.jpg';
  }
  if (c.supported_parameters.includes('duration')) req.duration = c.durations.includes(spec.default_duration) ? spec.default_duration : c.durations.find((d) => d > 0);
  return req;
}

function requestFormatSummary(spec: ModelSpec) {
  const cs = spec.operations.map((o) => constraintsFor(spec, o));
  const supported = spec.supported_parameters;
  const sizes = soraSizes(spec);
  return {
    public_operations: operations(spec),
    supported_parameters: supported,
    feature_flags: {
      output_audio_default: spec.audio.default,
      output_audio_configurable: spec.audio.configurable,
      cancellable: spec.cancellable_upstream,
      reference_images: spec.limits.reference_images !== undefined,
      negative_prompt: supported.includes('negative_prompt'),
      seed: supported.includes('seed'),
    },
    output_formats: ['mp4'],
    service_limits: { online_rpm: null, concurrency: null, offline_inference: false, offline_tpd: null, prompt_max_characters: spec.limits.prompt_max_characters ?? null },
    required_selectors: ['model'],
    optional_selectors: supported.filter((p) => p !== 'model'),
    resolutions: [...spec.resolutions],
    resolutions_label: spec.resolutions.join(', '),
    durations: durationLabels(spec.durations),
    durations_label: `${durationLabels(spec.durations.filter((d) => d > 0)).join(', ')} seconds${spec.durations.includes(-1) ? ' (-1: model chooses)' : ''}`,
    aspect_ratios: [...spec.aspect_ratios],
    aspect_ratios_label: spec.aspect_ratios.join(', ') + (sizes.length ? ` (or size: ${sizes.join(', ')})` : ''),
    request_endpoint: REQUEST_ENDPOINT,
    status_mode: STATUS_MODE,
    request_shape_mode: REQUEST_SHAPE_MODE,
    recommended_request_summary: recommendedRequest(spec, cs[0]),
    request_endpoint_by_operation: endpointByOperation(spec),
    operation_constraints: cs.map(operationConstraint),
  };
}

/** GET /v1/models/{model}: Model with the full request-format metadata. */
export function modelDetail(spec: ModelSpec, nowMs: number = Date.now(), availability?: ModelAvailabilityView) {
  const summary = requestFormatSummary(spec);
  const cs = spec.operations.map((o) => constraintsFor(spec, o));
  return modelEnvelope(spec, {
    ...tokenlabCore(spec, nowMs),
    supported_operations: operations(spec),
    pricing_provenance: pricingProvenance(spec),
    request_format_summary: summary,
    request_format_details: {
      ...summary,
      documented_inputs: [...new Set(cs.flatMap((c) => c.inputs))],
      documented_outputs: ['video_url', 'video', 'videos', ...(spec.supported_parameters.includes('return_last_frame') ? ['last_frame_url'] : [])],
      fallback_status_endpoints: [STATUS_ENDPOINT, '/v1/videos/generations/{id}'],
      notes: [...(spec.notes ?? []), `Universal parameters accepted by every model: ${UNIVERSAL_PARAMETERS.join(', ')}.`],
      recommended_request: recommendedRequest(spec, cs[0]),
    },
    accepted_request_formats: [] as string[],
    ...(availability ? { availability } : {}),
  });
}

/** Whether the model's upstream currently lists it, as the periodic model-list check last saw it. */
export interface ModelAvailabilityView {
  status: 'available' | 'unavailable' | 'unchecked';
  reason: string | null;
  /** Unix seconds of the last successful check of the model's channel, when there was one. */
  checked_at: number | null;
}

/** GET /v1/models/{model}/pricing: ModelPricingResponse. */
export function modelPricing(spec: ModelSpec) {
  const p = spec.pricing;
  return {
    model: spec.id,
    pricing_unit: p.unit,
    has_complex_pricing: hasComplexPricing(spec),
    supported_operations: operations(spec),
    pricing_summary: pricingSummary(spec),
    pricing_provenance: pricingProvenance(spec),
    pricing_details: {
      unit: p.unit,
      currency: 'USD',
      base: usdString(p.base),
      by_resolution: priceTable(p.by_resolution),
      with_audio_by_resolution: priceTable(p.with_audio_by_resolution),
      durations: durationLabels(spec.durations),
      default_duration: spec.default_duration,
      default_resolution: spec.default_resolution,
    },
    scalar_pricing: p.unit === 'per_second' ? { price_per_second: usdString(p.base) } : { price_per_request: usdString(p.base) },
  };
}

/** GET /v1/pricing item: PricingEntry. Per-request models carry a lock price; per-second ones explain the unit. */
export function pricingEntry(spec: ModelSpec) {
  const perRequest = spec.pricing.unit === 'per_request';
  return {
    model: spec.id,
    provider: spec.owned_by,
    is_lock_price: perRequest,
    capabilities: capabilities(spec),
    aliases: [...spec.aliases],
    input_per_1m_tokens: null,
    output_per_1m_tokens: null,
    lock_price_per_request: perRequest ? usdString(spec.pricing.base) : null,
    has_complex_pricing: hasComplexPricing(spec),
    supported_operations: operations(spec),
    pricing_summary: pricingSummary(spec),
    pricing_provenance: pricingProvenance(spec),
  };
}

/** GET /v1/models and /v1/pricing filters. provider matches owned_by ("kuaishou") or our provider name ("kling"). */
export function matchesFilters(spec: ModelSpec, f: { category?: string; provider?: string; tag?: string }): boolean {
  if (f.category !== undefined && f.category !== 'video') return false;
  if (f.provider !== undefined) {
    const want = f.provider.toLowerCase();
    if (want !== spec.owned_by && want !== spec.provider) return false;
  }
  if (f.tag !== undefined && !spec.tags.includes(f.tag.toLowerCase())) return false;
  return true;
}
