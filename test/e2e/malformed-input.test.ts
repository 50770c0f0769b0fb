import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';

/** Raw bodies that must each get a 4xx TokenLab envelope, never a 5xx. */
const BAD_BODIES: string[] = [
  '',
  '{',
  'null',
  '[]',
  '"string"',
  '42',
  '{"model":}',
  '{"model": 12}',
  '{"model": "veo3.1", "prompt": 5}',
  '{"model": "veo3.1", "duration": "8"}',
  '{"model": "veo3.1", "duration": 8.5}',
  '{"model": "veo3.1", "duration": 1e309}',
  '{"model": "veo3.1", "duration": -7}',
  '{"model": "veo3.1", "aspect_ratio": "16/9"}',
  '{"model": "veo3.1", "resolution": {"a":1}}',
  '{"model": "veo3.1", "image_urls": "https://example.com/a.png"}',
  '{"model": "veo3.1", "image_urls": []}',
  '{"model": "veo3.1", "image_urls": [1,2]}',
  '{"model": "veo3.1", "reference_images": [null]}',
  '{"model": "veo3.1", "image_url": "not a url"}',
  '{"model": "veo3.1", "image_url": "file:///etc/passwd"}',
  '{"model": "veo3.1", "image_url": "https://127.0.0.1/a.png"}',
  '{"model": "veo3.1", "image_url": "https://169.254.169.254/latest/meta-data"}',
  '{"model": "veo3.1", "image": "data:image/png;base64,@@@"}',
  '{"model": "veo3.1", "prompt": "x", "image_url": "https://%zz@example.com/a.png"}',
  '{"model": "veo3.1", "prompt": "x", "callback_url": "https://%zz@example.com/hook"}',
  '{"model": "veo3.1", "output_audio": "yes"}',
  '{"model": "veo3.1", "seconds": 4, "duration": 8}',
  '{"model": "veo3.1", "ratio": "16:9", "aspect_ratio": "9:16"}',
  '{"model": "veo3.1", "outputAudio": true, "generate_audio": false}',
  '{"model": "veo3.1", "operation": "dance"}',
  '{"model": "veo3.1", "operation": "video-to-video", "video_url": "https://example.com/a.mp4"}',
  '{"model": "veo3.1", "bogus_field": {"nested": [1,2,3]}}',
  '{"model": "veo3.1", "__proto__": {"isAdmin": true}}',
  '{"model": "veo3.1", "constructor": {"prototype": {"x": 1}}}',
  '{"model": "veo3.1", "kling_elements": [{"name": "x", "element_input_urls": ["https://example.com/a.png"]}]}',
  '{"model": "veo3.1", "kling_elements": "oops"}',
  '{"model": "veo3.1", "seed": 99999999999}',
  '{"model": "veo3.1", "cfg_scale": 21}',
  `{"model": "veo3.1", "prompt": "${'x'.repeat(30_000)}"}`,
  `{"model": "${'m'.repeat(500)}"}`,
  '{"model": "no-such-model", "prompt": "x"}',
  '{"prompt": "missing model"}',
  '\u0000\u0001\u0002',
];

describe('malformed requests never cause a 5xx', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ VIDGATE_MAX_BODY_BYTES: String(1024 * 1024) });
  });
  after(async () => gw.close());

  it('every bad create body gets a 4xx envelope that names the problem', async () => {
    for (const body of BAD_BODIES) {
      const res = await gw.api('/v1/videos/generations', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      const text = await res.text();
      assert.ok(res.status >= 400 && res.status < 500, `${res.status} for ${body.slice(0, 80)}: ${text.slice(0, 200)}`);
      const json = JSON.parse(text);
      assert.deepEqual(validateAgainst('ApiError', json), [], text);
      assert.ok(json.error.message.length > 10, text);
      assert.ok(!/at .*\.(ts|js):\d+/.test(text), 'no stack trace');
    }
  });

  it('huge bodies are 413, wrong content types 415', async () => {
    const huge = JSON.stringify({ model: 'veo3.1', image: `data:image/png;base64,${'A'.repeat(2 * 1024 * 1024)}` });
    const big = await gw.api('/v1/videos/generations', { method: 'POST', body: huge, headers: { 'content-type': 'application/json' } });
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as any).error.code, 'payload_too_large');
    const form = await gw.api('/v1/videos/generations', { method: 'POST', body: 'model=veo3.1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(form.status, 415);
    const noType = await gw.api('/v1/videos/generations', { method: 'POST' });
    assert.equal(noType.status, 400);
  });

  it('bad ids and paths are 404 envelopes', async () => {
    for (const id of ['x', 'ldtask_', `ldtask_${'g'.repeat(32)}`, '..%2F..%2Fetc%2Fpasswd', '%00', 'a'.repeat(150), 'b'.repeat(3000), `ldtask_${'A'.repeat(32)}`]) {
      for (const p of [`/v1/tasks/${id}`, `/v1/videos/generations/${id}`]) {
        const res = await gw.api(p);
        assert.equal(res.status, 404, `${p}`);
        assert.equal(((await res.json()) as any).error.code, 'async_task_not_found');
      }
      const del = await gw.api(`/v1/tasks/${id}`, { method: 'DELETE' });
      assert.equal(del.status, 404);
    }
    const files = await fetch(`${gw.url}/v1/files/nope/video.mp4?expires=abc&signature=zz`);
    assert.equal(files.status, 403);
    const badEscape = await gw.api('/v1/tasks/%E0%A4%A');
    assert.equal(badEscape.status, 400);
    assert.deepEqual(validateAgainst('ApiError', await badEscape.json()), []);
    const unknown = await gw.api('/v2/whatever');
    assert.equal(unknown.status, 404);
    assert.deepEqual(validateAgainst('ApiError', await unknown.json()), []);
  });

  it('the gateway is still healthy afterwards', async () => {
    const res = await gw.api('/healthz', { key: null });
    assert.equal(res.status, 200);
  });
});
