import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, modelNotFound } from '../contract/errors.js';
import { compactModelItem, matchesFilters, modelDetail, modelListItem, modelPricing, pricingEntry } from '../catalog/describe.js';
import { closest } from '../catalog/catalog.js';
import { clip } from '../contract/preview.js';
import type { Gateway } from './gateway.js';
import { queryValue } from './request-parsing.js';

type ListQuery = { view?: unknown; category?: unknown; provider?: unknown; tag?: unknown; recommended_for?: unknown };

const CATEGORIES = ['chat', 'embedding', 'translation', 'image', 'video', 'audio', 'tts', 'stt', 'rerank', '3d', 'music'];

/**
 * The provider and tag filters, each checked against what the catalog has (disabled models
 * included, so the valid values do not move with an operator's choices): a typo is a 400 naming the
 * valid values (and the closest), not an empty list.
 */
function catalogFilters(gw: Gateway, q: Record<string, unknown>): { provider?: string; tag?: string } {
  const models = gw.catalog.all();
  const known = {
    provider: new Set<string>(models.flatMap((m) => [m.owned_by, m.provider])),
    tag: new Set<string>(models.flatMap((m) => m.tags)),
  };
  const filters: { provider?: string; tag?: string } = {};
  for (const name of ['provider', 'tag'] as const) {
    const v = queryValue(q, name);
    if (v === undefined) continue;
    if (!known[name].has(v.toLowerCase())) {
      const allowed = [...known[name]].sort();
      const near = closest(v, allowed);
      const hint = near === undefined ? '' : ` Did you mean '${near}'?`;
      throw badRequest(name, `No model has ${name} '${clip(v)}'; '${name}' must be one of ${allowed.join(', ')}.${hint}`, 'invalid_value', {
        allowed_values: allowed,
        ...(near === undefined ? {} : { did_you_mean: near }),
      });
    }
    filters[name] = v;
  }
  return filters;
}

/** Models and Pricing answer without a key too: TokenLab's own client calls them that way. */
export function registerModelRoutes(app: FastifyInstance, gw: Gateway): void {
  app.get('/v1/models', { config: { auth: 'none' } }, async (req: FastifyRequest<{ Querystring: ListQuery }>) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const view = queryValue(q, 'view') ?? 'full';
    if (view !== 'full' && view !== 'compact') throw badRequest('view', "'view' must be 'full' or 'compact'.", 'invalid_value', { allowed_values: ['full', 'compact'] });
    const category = queryValue(q, 'category');
    if (category !== undefined && !CATEGORIES.includes(category)) throw badRequest('category', `'category' must be one of ${CATEGORIES.join(', ')}.`, 'invalid_value');
    const recommendedFor = queryValue(q, 'recommended_for');
    if (recommendedFor !== undefined && category !== undefined && recommendedFor !== category) {
      throw badRequest('recommended_for', "'recommended_for' and 'category' must match when both are sent.", 'invalid_value');
    }
    const filters = { category: category ?? recommendedFor, ...catalogFilters(gw, q) };
    const models = gw.catalog.list().filter((m) => matchesFilters(m, filters));
    if (view === 'compact') return { object: 'list', view: 'compact', count: models.length, data: models.map(compactModelItem) };
    return { object: 'list', data: models.map(modelListItem) };
  });

  app.get('/v1/models/:model', { config: { auth: 'none' } }, async (req: FastifyRequest<{ Params: { model: string } }>) => {
    const spec = gw.catalog.get(req.params.model);
    if (!spec) throw modelNotFound(req.params.model, 404, gw.catalog.suggest(req.params.model));
    return modelDetail(spec, Date.now(), gw.availability?.view(spec));
  });

  app.get('/v1/models/:model/pricing', { config: { auth: 'none' } }, async (req: FastifyRequest<{ Params: { model: string } }>) => {
    const spec = gw.catalog.get(req.params.model);
    if (!spec) throw modelNotFound(req.params.model, 404, gw.catalog.suggest(req.params.model));
    return modelPricing(spec);
  });

  app.get('/v1/pricing', { config: { auth: 'none' } }, async (req: FastifyRequest<{ Querystring: ListQuery }>) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    for (const k in q) {
      if (k !== 'provider' && k !== 'tag') {
        const name = clip(k);
        const hint = k === 'model' ? " For one model's prices, GET /v1/models/{model}/pricing." : '';
        throw badRequest(name, `Unknown query parameter '${name}'; /v1/pricing takes provider and tag.${hint}`, 'unknown_parameter');
      }
    }
    const filters = catalogFilters(gw, q);
    const models = gw.catalog.list().filter((m) => matchesFilters(m, filters));
    return { object: 'pricing', updated_at: PRICES_UPDATED_AT, currency: 'USD', data: models.map(pricingEntry) };
  });
}

/** When the built-in price table was last reviewed (see src/catalog/models/*.ts for sources). */
const PRICES_UPDATED_AT = '2026-11-21T00:00:00Z';
