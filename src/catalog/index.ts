import { Catalog } from './catalog.js';
import { BUILTIN_MODELS } from './models/index.js';
import type { CatalogOverrides } from './types.js';

/** The built-in inventory with the operator's overrides applied; throws on a bad override. */
export function defaultCatalog(overrides?: CatalogOverrides): Catalog {
  return new Catalog(BUILTIN_MODELS, overrides);
}

export { Catalog } from './catalog.js';
export { BUILTIN_MODELS } from './models/index.js';
export { validateForModel, resolveForModel } from './rules.js';
export { estimateCostUsd, costForOutputUsd, expectedSeconds, renderedDuration, roundUsd, usdString } from './pricing.js';
export { modelListItem, compactModelItem, modelDetail, modelPricing, pricingEntry, matchesFilters } from './describe.js';
export { constraintsForOperation, type OperationConstraints } from './constraints.js';
export { UNIVERSAL_PARAMETERS, REQUEST_ENDPOINT } from './parameters.js';
export type { CatalogOverrides, ModelOverride, ModelSpec, OperationSpec, PriceSpec, ProviderName, OwnedBy } from './types.js';
export { PROVIDERS } from './types.js';
