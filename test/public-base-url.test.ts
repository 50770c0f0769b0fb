/**
 * The base of the video_urls a gateway hands out when PUBLIC_BASE_URL is unset, and the start-up
 * warning when that base (localhost, for a HOST that listens on every interface) only works on the
 * gateway's own machine.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config.js';
import { isWildcardHost, publicBaseUrl } from '../src/public-base-url.js';
import { startTestGateway, waitForTask } from './helpers/gateway.js';

describe('publicBaseUrl', () => {
  it('a wildcard HOST without PUBLIC_BASE_URL: localhost, and one warning line that names the fix', () => {
    for (const host of ['0.0.0.0', '::', '::0', '0:0:0:0:0:0:0:0', '[::]']) {
      const { url, warning } = publicBaseUrl(loadConfig({ HOST: host }), 8080);
      assert.equal(url, 'http://localhost:8080', host);
      assert.ok(warning, host);
      assert.doesNotMatch(warning, /\n/);
      assert.match(warning, new RegExp(`HOST=${host.replace(/[[\]]/g, '\\$&')} `));
      assert.match(warning, /PUBLIC_BASE_URL/);
      assert.match(warning, /http:\/\/localhost:8080/);
    }
  });

  it('PUBLIC_BASE_URL set, or a HOST that is one address: that base, no warning', () => {
    assert.deepEqual(publicBaseUrl(loadConfig({ HOST: '0.0.0.0', PUBLIC_BASE_URL: 'https://video.example.com/' }), 8080), { url: 'https://video.example.com', warning: null });
    assert.deepEqual(publicBaseUrl(loadConfig({}), 8080), { url: 'http://127.0.0.1:8080', warning: null });
    assert.deepEqual(publicBaseUrl(loadConfig({ HOST: '192.168.1.20' }), 9000), { url: 'http://192.168.1.20:9000', warning: null });
    assert.deepEqual(publicBaseUrl(loadConfig({ HOST: '::1' }), 9000), { url: 'http://[::1]:9000', warning: null });
    for (const host of ['127.0.0.1', '::1', 'localhost', 'fe80::1', '0.0.0.1']) assert.equal(isWildcardHost(host), false, host);
  });
});

describe('a gateway listening on every interface', { timeout: 120_000 }, () => {
  it('without PUBLIC_BASE_URL: says at start, once, that its video_urls only work on this machine', async () => {
    const gw = await startTestGateway({ HOST: '0.0.0.0' });
    try {
      const warnings = gw.logs.map((l) => JSON.parse(l) as { level: number; msg?: string }).filter((l) => l.level === 40 && /PUBLIC_BASE_URL is unset/.test(l.msg ?? ''));
      assert.equal(warnings.length, 1, gw.logs.join('\n'));
      assert.match(warnings[0].msg ?? '', new RegExp(`video_url points to ${gw.url.replace(/[.]/g, '\\.')},`));
    } finally {
      await gw.close();
    }
  });

  it('with PUBLIC_BASE_URL: no warning, and video_urls start with it', async () => {
    const gw = await startTestGateway({ HOST: '0.0.0.0', PUBLIC_BASE_URL: 'https://video.example.com' });
    try {
      assert.ok(!gw.logs.some((l) => l.includes('PUBLIC_BASE_URL is unset')));
      const created = (await (await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', prompt: 'a lighthouse at dusk', duration: 4 } })).json()) as { id: string };
      const task = await waitForTask(gw, created.id);
      assert.equal(task.status, 'completed');
      assert.match(task.video_url ?? '', /^https:\/\/video\.example\.com\/v1\/files\//);
    } finally {
      await gw.close();
    }
  });
});
