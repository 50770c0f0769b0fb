/**
 * A model's lifecycle at a given moment (pure: the clock is passed in). A model with a sunset date
 * is `deprecated` until that date and `retired` from it on; creating tasks on it still works (the
 * upstream decides, and the operator may disable it), but every answer about it carries the
 * standard headers: Deprecation (RFC 9745), Sunset (RFC 8594) and a Link to the replacement.
 */
import type { ModelSpec } from './types.js';

export type LifecycleStage = 'active' | 'preview' | 'deprecated' | 'retired';

export interface LifecycleView {
  stage: LifecycleStage;
  reason: string | null;
  replacement_model: string | null;
  /** ISO 8601 (UTC). */
  deprecated_at: string | null;
  sunset_at: string | null;
  retired_at: string | null;
}

function iso(date: string | undefined): string | null {
  if (!date) return null;
  return date.length === 10 ? `${date}T00:00:00Z` : date;
}

export function lifecycleAt(spec: ModelSpec, nowMs: number): LifecycleView {
  const info = spec.lifecycle_info ?? {};
  const sunset = iso(info.sunset_at);
  const retired = sunset !== null && Date.parse(sunset) <= nowMs;
  const deprecated = retired || spec.lifecycle === 'deprecated' || spec.lifecycle === 'retired';
  const stage: LifecycleStage = retired ? 'retired' : deprecated ? 'deprecated' : spec.lifecycle === 'preview' ? 'preview' : 'active';
  return {
    stage,
    reason: info.reason ?? null,
    replacement_model: info.replacement_model ?? null,
    // When the announcement date is unknown, the model counts as deprecated from its sunset (never earlier than we know).
    deprecated_at: deprecated ? (iso(info.deprecated_at) ?? sunset) : null,
    sunset_at: sunset,
    retired_at: retired ? sunset : null,
  };
}

/** HTTP-date (RFC 9110 §5.6.7), as Sunset wants it. */
function httpDate(isoDate: string): string {
  return new Date(isoDate).toUTCString();
}

/**
 * The headers every answer about a deprecated or retired model carries; none for other models.
 * Deprecation is an RFC 9651 date (`@` + Unix seconds); Link points to the model's own lifecycle
 * (rel="deprecation") and to the replacement (rel="successor-version").
 */
export function lifecycleHeaders(spec: ModelSpec, nowMs: number): Record<string, string> {
  const view = lifecycleAt(spec, nowMs);
  if (view.stage !== 'deprecated' && view.stage !== 'retired') return {};
  const headers: Record<string, string> = {};
  if (view.deprecated_at) headers.Deprecation = `@${Math.floor(Date.parse(view.deprecated_at) / 1000)}`;
  if (view.sunset_at) headers.Sunset = httpDate(view.sunset_at);
  const links = [`</v1/models/${encodeURIComponent(spec.id)}>; rel="deprecation"; type="application/json"`];
  if (view.replacement_model) links.push(`</v1/models/${encodeURIComponent(view.replacement_model)}>; rel="successor-version"; type="application/json"`);
  headers.Link = links.join(', ');
  return headers;
}

/** The message of a task whose upstream refused the model as retired, naming the replacement. */
export function retirementMessage(spec: ModelSpec | undefined, upstreamMessage: string): string {
  const view = spec ? lifecycleAt(spec, Date.now()) : undefined;
  const model = spec ? `'${spec.id}'` : 'this model';
  const use = view?.replacement_model ? ` Use '${view.replacement_model}' instead.` : ' Choose another model (GET /v1/models).';
  const when = view?.sunset_at ? ` (shut down ${view.sunset_at.slice(0, 10)})` : '';
  return `The upstream no longer serves ${model}${when}: ${upstreamMessage}${use}`;
}
