import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { defaultCatalog } from '../../src/catalog/index.js';
import { constraintsForOperation } from '../../src/catalog/constraints.js';
import { PROVIDERS } from '../../src/catalog/types.js';
import { ASPECT_RATIOS, RESOLUTIONS, type Operation } from '../../src/contract/operations.js';

/** TokenLab's video guide (the project's seed document), copied verbatim into the repo. */
const SEED_FILE = new URL('../fixtures/tokenlab-video-guide.en.txt', import.meta.url);
const OP_NAMES: Record<string, Operation | null> = {
  'text-to-video': 'text-to-video',
  'image-to-video': 'image-to-video',
  'reference-to-video': 'reference-to-video',
  'start-end-to-video': 'start-end-to-video',
  'video-to-video': 'video-to-video',
  'motion control': 'motion-control',
  // kling-3.0-video "element references": image-to-video / start-end-to-video with kling_elements.
  'element references': null,
};

/** Parses "Current Public Model Inventory" of the English seed: model id → operations. */
function seedInventory(): Map<string, Operation[]> {
  const text = readFileSync(SEED_FILE, 'utf8');
  const section = text.slice(text.indexOf('Current Public Model Inventory'), text.indexOf('Usage Examples'));
  const out = new Map<string, Operation[]>();
  for (const line of section.split('\n')) {
    const m = /^([a-z0-9][a-z0-9.-]*) \| (.+?) \|$/.exec(line.trim());
    if (!m) continue;
    const ops = m[2]
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .map((s) => {
        assert.ok(s in OP_NAMES, `unknown seed operation '${s}'`);
        return OP_NAMES[s];
      });
    out.set(
      m[1],
      ops.filter((o): o is Operation => o !== null),
    );
  }
  return out;
}

const catalog = defaultCatalog();
const seed = seedInventory();

describe('catalog inventory', () => {
  it('parses the whole seed inventory', () => {
    assert.equal(seed.size, 41);
  });

  for (const [id, ops] of seed) {
    it(`${id} has exactly the seed operations`, () => {
      const m = catalog.get(id);
      assert.ok(m, `${id} missing`);
      assert.deepEqual([...m.operations.map((o) => o.operation)].sort(), [...ops].sort());
    });
  }

  it('kling-3.0-video models element references as image-conditioned operations with kling_elements', () => {
    const m = catalog.get('kling-3.0-video')!;
    assert.ok(m.supported_parameters.includes('kling_elements'));
    assert.ok(constraintsForOperation(m, 'image-to-video')!.inputs.includes('kling_elements'));
    assert.ok(constraintsForOperation(m, 'start-end-to-video')!.inputs.includes('kling_elements'));
    assert.ok(!constraintsForOperation(m, 'text-to-video')!.inputs.includes('kling_elements'));
  });

  it('has seedance-2.0 and seedance-2.0-fast with t2v, i2v, start-end and reference', () => {
    for (const id of ['seedance-2.0', 'seedance-2.0-fast']) {
      const m = catalog.get(id)!;
      assert.deepEqual(m.operations.map((o) => o.operation).sort(), ['image-to-video', 'reference-to-video', 'start-end-to-video', 'text-to-video']);
      assert.deepEqual(m.limits, { reference_images: 9, reference_videos: 3, reference_audios: 3 });
    }
    assert.deepEqual(catalog.get('seedance-2.0-fast')!.resolutions, ['480p', '720p']);
  });

  it('the models whose upstream documents a cancel are cancellable upstream: Seedance, Vidu, Topaz and Wan (DashScope)', () => {
    const providers = new Set(
      catalog
        .all()
        .filter((m) => m.cancellable_upstream)
        .map((m) => m.provider),
    );
    assert.deepEqual([...providers].sort(), ['dashscope', 'seedance', 'topaz', 'vidu']);
    for (const m of catalog.all()) assert.equal(m.cancellable_upstream, ['dashscope', 'seedance', 'topaz', 'vidu'].includes(m.provider), m.id);
  });

  it('maps families to provider names', () => {
    const expected: Record<string, string> = { google: 'google', openai: 'openai', kuaishou: 'kling', bytedance: 'seedance', minimax: 'minimax', alibaba: 'dashscope', shengshu: 'vidu', xai: 'xai', topaz: 'topaz' };
    for (const m of catalog.all()) {
      assert.equal(m.provider, expected[m.owned_by], m.id);
      assert.ok((PROVIDERS as readonly string[]).includes(m.provider));
    }
  });

  for (const m of catalog.all()) {
    it(`${m.id} is internally consistent`, () => {
      assert.ok(m.upstream_model.length > 0);
      assert.ok(m.durations.includes(m.default_duration), 'default duration allowed');
      assert.ok(m.resolutions.includes(m.default_resolution), 'default resolution allowed');
      assert.ok(m.aspect_ratios.includes(m.default_aspect_ratio), 'default aspect allowed');
      assert.ok(m.resolutions.every((r) => (RESOLUTIONS as readonly string[]).includes(r)));
      assert.ok(m.aspect_ratios.every((a) => (ASPECT_RATIOS as readonly string[]).includes(a)));
      for (const o of m.operations) {
        const c = constraintsForOperation(m, o.operation)!;
        assert.ok(c.durations.length > 0 && c.resolutions.length > 0 && c.aspect_ratios.length > 0, o.operation);
        assert.ok(
          c.resolutions.every((r) => m.resolutions.includes(r)),
          `${o.operation} resolutions ⊆ model`,
        );
        assert.ok(c.upstream_model.length > 0);
      }
      assert.ok(m.pricing.source.length > 0);
      assert.ok(m.pricing.base > 0);
      assert.ok(m.typical_seconds > 0 && m.max_runtime_seconds > m.typical_seconds);
      for (const p of ['model', 'prompt', 'operation', 'user', 'callback_url', 'safety_identifier']) assert.ok(m.supported_parameters.includes(p), p);
    });
  }

  it('uses per-operation upstream ids where the provider names models per operation (Wan)', () => {
    const wan = catalog.get('wan-2.6')!;
    assert.equal(constraintsForOperation(wan, 'text-to-video')!.upstream_model, 'wan2.6-t2v');
    assert.equal(constraintsForOperation(wan, 'image-to-video')!.upstream_model, 'wan2.6-i2v');
    assert.equal(constraintsForOperation(wan, 'reference-to-video')!.upstream_model, 'wan2.6-r2v');
  });
});
