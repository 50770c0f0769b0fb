import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CallbackSender, newCallbackStats } from '../../src/sandbox/common/callbacks.js';

/** A receiver that answers as `answer` says; `held` keeps the responses it never finishes. */
async function receiver(answer: (res: ServerResponse) => void) {
  const server = createServer((req, res) => {
    req.resume();
    answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () => new Promise<void>((resolve) => server.closeAllConnections() ?? server.close(() => resolve())),
  };
}

function sender(timeoutMs: number, stop = new AbortController()) {
  const stats = newCallbackStats();
  return { stats, stop, sender: new CallbackSender({ stats, takeFault: () => undefined, retryDelaysMs: [], timeoutMs, signal: stop.signal }) };
}

describe('simulator callbacks (CallbackSender)', () => {
  it('an attempt the receiver never answers (head or body) fails at its timeout, even with garbage collection running', { timeout: 30_000 }, async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const collect = setInterval(gc, 20);
    const silent = await receiver(() => undefined);
    const endless = await receiver((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
    });
    try {
      for (const r of [silent, endless]) {
        const { sender: s, stop } = sender(400);
        const started = Date.now();
        assert.equal(await s.post(r.url, '{}'), undefined);
        const took = Date.now() - started;
        assert.ok(took >= 350 && took < 3000, `a 400 ms attempt took ${took} ms`);
        stop.abort();
      }
    } finally {
      clearInterval(collect);
      await silent.close();
      await endless.close();
    }
  });

  it('answers are handed back whole, empty ones (204) and redirects (not followed) included', async () => {
    for (const [status, body] of [
      [200, '{"ok":true}'],
      [204, ''],
      [302, ''],
      [500, 'no'],
    ] as const) {
      const r = await receiver((res) => {
        res.writeHead(status, status === 302 ? { location: 'http://127.0.0.1:9/elsewhere' } : {});
        res.end(body);
      });
      try {
        const { sender: s, stop } = sender(2000);
        const res = await s.post(r.url, '{}');
        assert.equal(res?.status, status);
        assert.equal(await res?.text(), body);
        stop.abort();
      } finally {
        await r.close();
      }
    }
  });
});
