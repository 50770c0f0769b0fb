import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { inferOperation } from '../../src/contract/infer-operation.js';
import { parseVideoRequest } from '../../src/contract/parse-video-request.js';
import type { Operation } from '../../src/contract/operations.js';
import { repeatsStoredRequest, requestFingerprint } from '../../src/tasks/request-fingerprint.js';

const OPS: Operation[] = ['text-to-video', 'image-to-video', 'reference-to-video'];
const fingerprint = (body: Record<string, unknown>) => requestFingerprint(parseVideoRequest(body, (r) => inferOperation(r, OPS)));

const URLS = ['https://a.test/1.png', 'https://a.test/2.png'];
const BASE = { model: 'kling-3.0-video', prompt: 'n', duration: 5, image_urls: URLS, kling_elements: [{ name: 'hero', description: 'd', element_input_urls: URLS }] };

describe('requestFingerprint', () => {
  it('is the same for every spelling of one request', () => {
    const same = [
      { ...BASE },
      Object.fromEntries(Object.entries(BASE).reverse()),
      { ...BASE, duration: undefined, seconds: 5 },
      { ...BASE, seconds: 5 },
      { ...BASE, negative_prompt: null, seed: null, ratio: null },
      { ...BASE, kling_elements: [{ element_input_urls: URLS, description: 'd', name: 'hero' }] },
      { ...BASE, operation: 'image-to-video' },
    ].map((b) => fingerprint(JSON.parse(JSON.stringify(b))));
    for (const f of same) assert.equal(f, same[0]);
  });

  it('differs when the request does: a value, an added field, the order of a list, the operation', () => {
    const base = fingerprint(BASE);
    for (const other of [
      { ...BASE, duration: 10 },
      { ...BASE, prompt: 'N' },
      { ...BASE, negative_prompt: 'blur' },
      { ...BASE, image_urls: [...URLS].reverse() },
      { ...BASE, operation: 'reference-to-video' },
      { ...BASE, kling_elements: [{ name: 'hero', element_input_urls: URLS }] },
    ]) {
      assert.notEqual(fingerprint(other), base, JSON.stringify(other));
    }
  });
});

describe('repeatsStoredRequest', () => {
  const req = parseVideoRequest(BASE, (r) => inferOperation(r, OPS));

  it('compares a fingerprint record by fingerprint, whatever the body looked like', () => {
    assert.equal(repeatsStoredRequest(requestFingerprint(req), requestFingerprint(req), { ...BASE, seconds: 5, seed: null }), true);
    assert.equal(repeatsStoredRequest(fingerprint({ ...BASE, prompt: 'N' }), requestFingerprint(req), BASE), false);
  });

  it('compares a record stored by an earlier release (bare sha256 of the key-sorted body) by that hash', () => {
    const body = { prompt: 'n', model: 'veo3.1-fast', duration: 4 };
    const legacy = createHash('sha256').update('{"duration":4,"model":"veo3.1-fast","prompt":"n"}').digest('hex');
    const parsed = parseVideoRequest(body, (r) => inferOperation(r, OPS));
    assert.equal(repeatsStoredRequest(legacy, requestFingerprint(parsed), body), true);
    assert.equal(repeatsStoredRequest(legacy, requestFingerprint(parsed), { ...body, prompt: 'm' }), false);
  });

  it('also compares a fingerprint record by the request as sent, before inline types were renamed', () => {
    const inline = (type: string) => ({ model: 'veo3.1-fast', prompt: 'n', image: `data:${type};base64,/9j/4A==` });
    const asSent = parseVideoRequest(inline('image/jpg'), (r) => inferOperation(r, OPS));
    const renamed = requestFingerprint(parseVideoRequest(inline('image/jpeg'), (r) => inferOperation(r, OPS)));
    // Stored by the release before the rename: the image/jpg request's own fingerprint.
    assert.equal(repeatsStoredRequest(requestFingerprint(asSent), renamed, inline('image/jpg'), asSent), true);
    // Stored since: the renamed request's, which either spelling repeats.
    assert.equal(repeatsStoredRequest(renamed, renamed, inline('image/jpg'), asSent), true);
    assert.equal(repeatsStoredRequest(fingerprint({ ...inline('image/jpg'), prompt: 'm' }), renamed, inline('image/jpg'), asSent), false);
  });
});
