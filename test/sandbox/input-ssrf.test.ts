/**
 * SSRF through the sandbox (issue 13, item 3): the simulators run inside the gateway in sandbox
 * mode and fetch the URLs tenants give them, so they must use the gateway's one guarded fetcher.
 * A host name resolving to loopback never reaches it, a 302 to a metadata path is not followed,
 * and a refused port reads exactly like a 404: no port state, no status line.
 *
 * Addresses: the "internal service" listens on 127.0.0.1, the "metadata service" on 127.0.0.2, and
 * the "public" host on 127.0.0.3 (the only address the test policy treats as public).
 */
import assert from 'node:assert/strict';
import { promises as dns } from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { blockedAddressReason, systemLookupAll } from '../../src/media/url-guard.js';
import { startDashScopeSimulator } from '../../src/sandbox/dashscope/index.js';
import { simulatorInputFetcher } from '../../src/sandbox/fetch-input.js';
import { startMinimaxSimulator } from '../../src/sandbox/minimax/index.js';
import { startSeedanceSimulator } from '../../src/sandbox/seedance/index.js';
import { solidImage, tempDir } from './media-helpers.js';

interface Spot {
  url: string;
  hits: string[];
  server: http.Server;
}

async function listenOn(host: string, handler: (req: http.IncomingMessage, res: http.ServerResponse, hits: string[]) => void): Promise<Spot> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    handler(req, res, hits);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { url: `http://${host}:${(server.address() as AddressInfo).port}`, hits, server };
}

const KEY = 'sim-key-0123456789abcdefghijklmnop';
let png: Buffer;
let internal: Spot;
let metadata: Spot;
let publicHost: Spot;
let closedPort: string;
let cleanup: () => Promise<void>;
const sims: { close(): Promise<void> }[] = [];

/** Each provider's create, with `url` as its first-frame image; resolves with the answer's text. */
const creates: Record<string, (url: string) => Promise<string>> = {};

before(async () => {
  const dir = await tempDir('vidgate-ssrf-');
  cleanup = dir.cleanup;
  png = await solidImage(dir.dir, 'red', 'frame.png', '640x400');
  internal = await listenOn('127.0.0.1', (_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(png));
  metadata = await listenOn('127.0.0.2', (_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(png));
  publicHost = await listenOn('127.0.0.3', (req, res) => {
    if (req.url === '/to-metadata') return res.writeHead(302, { location: `${metadata.url}/latest/meta-data/iam/security-credentials/` }).end();
    if (req.url === '/to-internal') return res.writeHead(302, { location: `http://internal.test:${new URL(internal.url).port}/admin.png` }).end();
    res.writeHead(404, { 'content-type': 'text/plain' }).end('no such file');
  });
  const gone = await listenOn('127.0.0.3', () => undefined);
  closedPort = gone.url;
  await new Promise<void>((resolve) => gone.server.close(() => resolve()));

  // The gateway's guard with one test twist: 127.0.0.3 counts as a public address.
  const fetchInput = simulatorInputFetcher({
    allowPrivateNetwork: false,
    allowHttp: true,
    isBlocked: (ip) => (ip === '127.0.0.3' ? null : blockedAddressReason(ip)),
    lookupAll: async (name) => (name === 'internal.test' ? [{ address: '127.0.0.1', family: 4 }] : systemLookupAll(name)),
    timeoutMs: 2000,
  });

  const seedance = await startSeedanceSimulator({ apiKey: KEY, workDir: join(dir.dir, 'seedance'), speed: 50, fetchInput });
  const wan = await startDashScopeSimulator({ apiKey: KEY, workDir: join(dir.dir, 'dashscope'), speed: 50, fetchInput });
  const hailuo = await startMinimaxSimulator({ apiKey: KEY, workDir: join(dir.dir, 'minimax'), speed: 50, fetchInput });
  sims.push(seedance, wan, hailuo);
  const post = async (url: string, body: unknown, headers: Record<string, string> = {}) =>
    (await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })).text();
  creates.seedance = (url) =>
    post(`${seedance.baseUrl}/contents/generations/tasks`, {
      model: 'dreamina-seedance-2-0-260128',
      content: [
        { type: 'text', text: 'go' },
        { type: 'image_url', image_url: { url }, role: 'first_frame' },
      ],
    });
  creates.wan = (url) =>
    post(`${wan.apiBaseUrl}/services/aigc/video-generation/video-synthesis`, { model: 'wan2.6-i2v', input: { prompt: 'go', img_url: url }, parameters: { resolution: '720P' } }, { 'X-DashScope-Async': 'enable' });
  creates.hailuo = (url) => post(`${hailuo.baseUrl}/v1/video_generation`, { model: 'MiniMax-Hailuo-2.3', prompt: 'go', first_frame_image: url });
});

after(async () => {
  await Promise.all(sims.map((s) => s.close()));
  for (const s of [internal, metadata, publicHost]) {
    s.server.closeAllConnections();
    s.server.close();
  }
  await cleanup?.();
});

describe('tenant URLs the simulators fetch go through the guarded fetcher', () => {
  for (const provider of ['seedance', 'wan', 'hailuo']) {
    it(`${provider}: a name resolving to loopback, and the machine's own host name, never reach the internal service`, async () => {
      const port = new URL(internal.url).port;
      const vectors = [`http://internal.test:${port}/secret.png`, `${publicHost.url}/to-internal`];
      // The machine's own name resolves to a loopback address on most hosts (/etc/hosts): system DNS, no test hook.
      const own = await dns.lookup(hostname(), { all: true }).catch(() => []);
      if (own.some((a) => a.address === '127.0.0.1')) vectors.push(`http://${hostname()}:${port}/secret.png`);
      for (const url of vectors) {
        const answer = await creates[provider](url);
        assert.ok(!/"task_id":"[^"]+"|"id":"cgt-/.test(answer), `${url} was accepted: ${answer}`);
      }
      assert.deepEqual(internal.hits, [], 'the internal service was never asked for anything');
    });

    it(`${provider}: a 302 to a cloud metadata path is not followed`, async () => {
      const answer = await creates[provider](`${publicHost.url}/to-metadata`);
      assert.ok(!/"task_id":"[^"]+"|"id":"cgt-/.test(answer), answer);
      assert.deepEqual(metadata.hits, [], 'the metadata service was never asked for anything');
    });

    it(`${provider}: a refused port and a 404 read the same (no port state, no status line)`, async () => {
      const refused = await creates[provider](`${closedPort}/x.png`);
      const missing = await creates[provider](`${publicHost.url}/x.png`);
      const strip = (text: string) => text.replace(/"(?:request_id|id)":"[^"]*"|Request id: \w+/g, '').replace(/127\.0\.0\.3:\d+/g, 'HOST');
      assert.equal(strip(refused), strip(missing));
      for (const text of [refused, missing]) assert.ok(!/ECONNREFUSED|refused|HTTP 404|no such file|timed out/i.test(text), text);
    });
  }
});
