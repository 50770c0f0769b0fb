import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, modelNotFound } from '../contract/errors.js';
import { compactModelItem, matchesFilters, modelDetail, modelListItem, modelPricing, pricingEntry } from '../catalog/describe.js';
import type { Gateway } from './gateway.js';
import { queryValue } from './request-parsing.js';

type ListQuery = { view?: unknown; category?: unknown; provider?: unknown; tag?: unknown; recommended_for?: unknown };

const CATEGORIES = ['chat', 'embedding', 'translation', 'image', 'video', 'audio', 'tts', 'stt', 'rerank', '3d', 'music'];

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
    const filters = { category: category ?? recommendedFor, provider: queryValue(q, 'provider'), tag: queryValue(q, 'tag') };
    const models = gw.catalog.list().filter((m) => matchesFilters(m, filters));
    // The clock passed explicitly: handed to map() bare, each item took its index as the time (1970),
    // so no list ever showed a model whose sunset had passed as retired.
    const now = Date.now();
    if (view === 'compact') return { object: 'list', view: 'compact', count: models.length, data: models.map((m) => compactModelItem(m, now)) };
    return { object: 'list', data: models.map((m) => modelListItem(m, now)) };
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
    const filters = { provider: queryValue(q, 'provider'), tag: queryValue(q, 'tag') };
    const models = gw.catalog.list().filter((m) => matchesFilters(m, filters));
    return { object: 'pricing', updated_at: PRICES_UPDATED_AT, currency: 'USD', data: models.map(pricingEntry) };
  });
}

/** When the built-in price table was last reviewed (see src/catalog/models/*.ts for sources). */
const PRICES_UPDATED_AT = '2026-11-21T00:00:00Z';
