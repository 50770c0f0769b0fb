import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';

/**
 * A fake OpenAI endpoint that takes each create (counting it, as a real upstream would bill it)
 * and then breaks the answer: a reset connection, or a 2xx that is not JSON.
 */
function brokenUpstream(mode: 'reset' | 'badbody') {
  let creates = 0;
  const server = http.createServer((req, res) => {
    if (req.method === 'POST' && req.url?.startsWith('/v1/videos')) {
      req.resume();
      req.on('end', () => {
        creates++;
        if (mode === 'reset') req.socket.destroy();
        else res.writeHead(200, { 'content-type': 'application/json' }).end('{"id": 12');
      });
      return;
    }
    res.writeHead(404).end();
  });
  return {
    server,
    creates: () => creates,
    listen: () => new Promise<string>((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as { port: number }).port}/v1`))),
  };
}

for (const mode of ['reset', 'badbody'] as const) {
  describe(`a create whose outcome is unknown (${mode}) is never sent again`, () => {
    let gw: TestGateway;
    const upstream = brokenUpstream(mode);
    before(async () => {
      const base = await upstream.listen();
      gw = await startTestGateway({ VIDGATE_SANDBOX: '0', OPENAI_API_KEY: 'sk-test-upstream-key-0000000000', OPENAI_BASE_URL: base });
    });
    after(async () => {
      await gw.close();
      upstream.server.close();
    });

    it('fails the task once, without charging, after exactly one upstream create', async () => {
      const res = await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'sora-2', prompt: 'x', duration: 4 } });
      assert.equal(res.status, 200);
      const done = await waitForTask(gw, ((await res.json()) as any).id, { timeoutMs: 30_000 });
      assert.equal(done.status, 'failed');
      assert.equal(done.error.code, 'submission_interrupted');
      await new Promise((r) => setTimeout(r, 1500)); // no late retry either
      assert.equal(upstream.creates(), 1);
    });
  });
}
