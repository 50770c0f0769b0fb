import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultCatalog } from '../../src/catalog/index.js';
import { lifecycleAt, lifecycleHeaders, retirementMessage } from '../../src/catalog/lifecycle.js';
import type { ModelSpec } from '../../src/catalog/types.js';

const catalog = defaultCatalog();
const at = (iso: string) => Date.parse(iso);

describe('model lifecycle (pure: the clock is passed in)', () => {
  it('seedance-1.5-pro: deprecated before its sunset (2026-11-11 09:00 UTC), retired from it on, replacement seedance-2.0', () => {
    const spec = catalog.get('seedance-1.5-pro')!;
    const before = lifecycleAt(spec, at('2026-11-11T08:59:59Z'));
    assert.deepEqual([before.stage, before.sunset_at, before.retired_at, before.replacement_model], ['deprecated', '2026-11-11T09:00:00Z', null, 'seedance-2.0']);
    const after = lifecycleAt(spec, at('2026-11-11T09:00:00Z'));
    assert.deepEqual([after.stage, after.retired_at], ['retired', '2026-11-11T09:00:00Z']);
  });

  it('Sora 2 retires on 2026-09-24 (OpenAI shut the Videos API down), with no replacement', () => {
    for (const id of ['sora-2', 'sora-2-pro', 'sora-2-pro-storyboard']) {
      const view = lifecycleAt(catalog.get(id)!, at('2026-12-01T00:00:00Z'));
      assert.deepEqual([view.stage, view.sunset_at, view.replacement_model], ['retired', '2026-09-24T00:00:00Z', null], id);
    }
  });

  it('active and preview models carry no lifecycle headers; deprecated and retired ones carry Deprecation, Sunset and Link', () => {
    const now = at('2026-12-01T00:00:00Z');
    assert.deepEqual(lifecycleHeaders(catalog.get('seedance-2.0')!, now), {});
    assert.deepEqual(lifecycleHeaders(catalog.get('grok-imagine-video-1.5-preview')!, now), {});
    const h = lifecycleHeaders(catalog.get('seedance-1.5-pro')!, now);
    // RFC 9745: an RFC 9651 date, "@" + Unix seconds; the sunset date when the announcement date is unknown.
    assert.equal(h.Deprecation, `@${at('2026-11-11T09:00:00Z') / 1000}`);
    // RFC 8594: an HTTP-date.
    assert.equal(h.Sunset, 'Wed, 11 Nov 2026 09:00:00 GMT');
    assert.equal(h.Link, '</v1/models/seedance-1.5-pro>; rel="deprecation"; type="application/json", </v1/models/seedance-2.0>; rel="successor-version"; type="application/json"');
  });

  it('a deprecated model without a sunset date has a Link but no Sunset; no replacement means no successor link', () => {
    const base = catalog.get('seedance-2.0')!;
    const spec: ModelSpec = { ...base, lifecycle: 'deprecated', lifecycle_info: { reason: 'test', deprecated_at: '2026-10-01' } };
    const h = lifecycleHeaders(spec, at('2026-12-01T00:00:00Z'));
    assert.equal(h.Deprecation, `@${at('2026-10-01T00:00:00Z') / 1000}`);
    assert.equal(h.Sunset, undefined);
    assert.doesNotMatch(h.Link, /successor-version/);
  });

  it('the model_retired message names the model, its shutdown date and the replacement (or says to choose another)', () => {
    const msg = retirementMessage(catalog.get('seedance-1.5-pro')!, 'ModelNotOpen');
    assert.match(msg, /'seedance-1\.5-pro' \(shut down 2026-11-11\): ModelNotOpen Use 'seedance-2\.0' instead\./);
    assert.match(retirementMessage(catalog.get('sora-2')!, 'gone'), /Choose another model \(GET \/v1\/models\)/);
    assert.match(retirementMessage(undefined, 'gone'), /this model/);
  });
});
