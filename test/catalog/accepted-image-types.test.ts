/**
 * The image types the catalog refuses at create (acceptedImageTypes) are exactly the ones each
 * adapter sends: providers/ cannot import the catalog, so the adapters keep their own list and this
 * holds the two together. A type in the adapter's list only would be refused for nothing; one in
 * the catalog's only would get a 200 and fail the task at submit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acceptedImageTypes } from '../../src/catalog/family-rules.js';
import { defaultCatalog } from '../../src/catalog/index.js';
import { KLING_IMAGE_TYPES } from '../../src/providers/kling/index.js';
import { SORA_IMAGE_TYPES, soraImageType } from '../../src/providers/openai/index.js';
import { ACCEPTED_IMAGE_TYPES as VIDU_IMAGE_TYPES, toDataUrl } from '../../src/providers/vidu/index.js';

const ADAPTER_LISTS: Record<string, readonly string[]> = { kling: KLING_IMAGE_TYPES, openai: SORA_IMAGE_TYPES, vidu: VIDU_IMAGE_TYPES };

describe('accepted image types: catalog and adapters', () => {
  const models = defaultCatalog().all();

  for (const [provider, list] of Object.entries(ADAPTER_LISTS)) {
    it(`every ${provider} model takes at create exactly the image types its adapter sends`, () => {
      const specs = models.filter((m) => m.provider === provider);
      assert.ok(specs.length > 0, `the catalog has ${provider} models`);
      for (const spec of specs) assert.deepEqual(acceptedImageTypes(spec), list, spec.id);
    });
  }

  it('the adapter lists are the types their checks take', () => {
    // Sora's check reads the bytes: each listed type is one soraImageType recognises.
    const heads: Record<string, Buffer> = {
      'image/png': Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
      'image/jpeg': Buffer.from('ffd8ffe000104a464946', 'hex'),
      'image/webp': Buffer.from('52494646000000005745425056503820', 'hex'),
    };
    assert.deepEqual(
      SORA_IMAGE_TYPES.map((t) => `image/${soraImageType(heads[t] ?? Buffer.alloc(0))}`),
      SORA_IMAGE_TYPES,
    );
    assert.equal(soraImageType(Buffer.from('GIF89a', 'latin1')), undefined);
    // Vidu's check is toDataUrl's: it takes each listed type and refuses a GIF.
    for (const t of VIDU_IMAGE_TYPES) assert.ok(toDataUrl(Buffer.from('x'), t).startsWith(`data:${t};`));
    assert.throws(() => toDataUrl(Buffer.from('x'), 'image/gif'), /Vidu accepts png, jpeg or webp/);
  });
});
