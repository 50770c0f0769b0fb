import { inferOperation } from '../../src/contract/infer-operation.js';
import type { Operation } from '../../src/contract/operations.js';
import type { VideoRequest } from '../../src/contract/video-request.js';
import type { Catalog } from '../../src/catalog/catalog.js';
import type { ModelSpec } from '../../src/catalog/types.js';
import { ApiError } from '../../src/contract/errors.js';
import assert from 'node:assert/strict';

/**
 * A VideoRequest as the contract room hands it to the catalog: canonical names, `sent` = keys,
 * operation explicit or inferred from the inputs and the model's operations.
 */
export function makeRequest(spec: ModelSpec, body: Record<string, unknown>): VideoRequest {
  const base = { ...body, model: spec.id, sent: Object.keys({ model: spec.id, ...body }) } as unknown as VideoRequest;
  const explicit = body.operation !== undefined;
  const operation = explicit
    ? (body.operation as Operation)
    : inferOperation(
        base,
        spec.operations.map((o) => o.operation),
      );
  return { ...base, operation, operation_explicit: explicit };
}

export function model(catalog: Catalog, id: string): ModelSpec {
  const m = catalog.get(id);
  assert.ok(m, `model ${id} is in the catalog`);
  return m;
}

/** Runs fn and returns the ApiError it throws (fails the test when it does not throw one). */
export function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an ApiError, nothing was thrown');
}

export const IMG = 'https://example.com/image.jpg';
export const IMG2 = 'https://example.com/image-2.jpg';
export const MP4 = 'https://example.com/clip.mp4';
