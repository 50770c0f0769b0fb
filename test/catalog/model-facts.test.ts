import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { constraintsForOperation, defaultCatalog, resolveForModel, validateForModel } from '../../src/catalog/index.js';
import { modelFacts } from '../../src/catalog/model-facts.js';
import type { ModelSpec } from '../../src/catalog/types.js';
import { ApiError } from '../../src/contract/errors.js';
import { IMG, IMG2, MP4, makeRequest } from './request.js';

const catalog = defaultCatalog();

/** Requests of every flow, most of them refused by most models (each refusal is a different rule). */
const BODIES: Record<string, unknown>[] = [
  { prompt: 'a cat' },
  { prompt: 'a cat', duration: 4, aspect_ratio: '16:9' },
  { prompt: 'a cat', duration: 8, resolution: '1080p', aspect_ratio: '9:16' },
  { prompt: 'a cat', duration: 10, resolution: '1080p' },
  { prompt: 'a cat', duration: 7 },
  { prompt: 'a cat', image_url: IMG, duration: 5, resolution: '720p' },
  { prompt: 'a cat', image_urls: [IMG, IMG2] },
  { prompt: 'a cat', image: 'data:image/png;base64,AAAA', image_url: IMG },
  { prompt: 'a cat', reference_images: [IMG, IMG2, IMG, IMG2, IMG] },
  { prompt: '', reference_images: [IMG] },
  { prompt: 'a cat', start_image: IMG, end_image: IMG2 },
  { start_image: IMG, end_image: IMG2 },
  { prompt: 'a cat', video_url: MP4 },
  { prompt: 'a cat', operation: 'video-to-video', video_url: 'https://example.com/clip.mov', resolution: '4k' },
  { prompt: 'a cat', operation: 'motion-control', image_url: IMG, video_url: MP4 },
  { prompt: 'a cat', video_urls: [MP4, MP4, MP4], audio_urls: [MP4, MP4, MP4] },
  { prompt: 'a cat', output_audio: true },
  { prompt: 'a cat', output_audio: false },
  { prompt: 'a cat', negative_prompt: 'blur', seed: 3, cfg_scale: 0.5, watermark: true },
  { prompt: 'a cat', camera_fixed: true, draft: true, resolution: '720p' },
  { prompt: 'a cat', size: '1280x720' },
  { prompt: 'a cat', size: '1792x1024', aspect_ratio: '9:16' },
  { prompt: 'x'.repeat(6000) },
  { prompt: 'a cat', image_url: IMG, kling_elements: [{ name: 'cat', element_input_urls: [IMG, IMG2] }] },
  { prompt: 'a cat', kling_elements: [{ name: 'cat', element_input_urls: [IMG, IMG2] }] },
  { operation: 'text-to-video' },
  { prompt: 'a cat', operation: 'audio-to-video', audio_url: MP4 },
];

type Outcome = { resolved: unknown } | { error: Record<string, unknown> };

/**
 * Validating then resolving a request: the resolved request, or every field of the 400. `tamper`:
 * then change the lists the error handed out, as a careless caller might.
 */
function outcome(spec: ModelSpec, body: Record<string, unknown>, tamper = false): Outcome {
  const req = makeRequest(spec, body);
  try {
    validateForModel(req, spec);
    return { resolved: resolveForModel(req, spec) };
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    const error = { status: e.status, type: e.type, code: e.code, message: e.message, param: e.param, extras: structuredClone(e.extras), headers: e.headers };
    if (tamper) for (const v of Object.values(e.extras)) if (Array.isArray(v)) v.push('changed');
    return { error };
  }
}

describe('model facts (computed once per model)', () => {
  it('hold what constraintsFor computes for every operation of every model', () => {
    for (const spec of catalog.all()) {
      const facts = modelFacts(spec);
      assert.deepEqual(
        facts.operations,
        spec.operations.map((o) => o.operation),
        spec.id,
      );
      assert.deepEqual([...facts.supported], spec.supported_parameters, spec.id);
      for (const [op, f] of facts.byOperation) {
        const c = constraintsForOperation(spec, op)!;
        assert.deepEqual(f.constraints, c, `${spec.id} ${op}`);
        assert.deepEqual([...f.supported], c.supported_parameters, `${spec.id} ${op}`);
        assert.deepEqual([...f.inputs], c.inputs, `${spec.id} ${op}`);
      }
    }
  });

  it('give every model the same answers (resolved request, or every field of the 400) as a first, uncached computation', () => {
    let refusals = 0;
    let accepted = 0;
    for (const spec of catalog.all()) {
      for (const body of BODIES) {
        // A copy of the spec is another cache key: its facts are computed afresh for this call.
        const uncached = outcome({ ...spec }, body);
        // A caller changing what an error handed out must not change the next answer.
        const first = outcome(spec, body, true);
        assert.deepEqual(first, uncached, `${spec.id} ${JSON.stringify(body).slice(0, 80)}`);
        const again = outcome(spec, body);
        assert.deepEqual(again, uncached, `${spec.id} ${JSON.stringify(body).slice(0, 80)}`);
        if ('error' in uncached) refusals++;
        else accepted++;
      }
    }
    // Both kinds of answer are covered, for many models.
    assert.ok(refusals > 200 && accepted > 100, `${refusals} refusals, ${accepted} accepted`);
  });
});
