/**
 * The in-memory task read (src/http/fast-reads.ts) answers exactly what the full path answers —
 * body, ETag, headers, 304s, rate-limit counting — and never what it should not: another key's
 * task, a revoked key, a task that has just changed.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';

const HEADERS = ['etag', 'x-task-id', 'x-billing-transaction-id', 'cache-control', 'content-type', 'deprecation', 'sunset', 'link'];

describe('task reads answered from memory', { timeout: 120_000 }, () => {
  let gw: TestGateway;
  let user: { id: string; key: string };
  before(async () => {
    gw = await startTestGateway({ VIDGATE_RATE_LIMIT_RPM: '500' });
    user = (await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'reader' } })).json()) as { id: string; key: string };
  });
  after(() => gw.close());

  /** Requests that went through the framework (it logs "incoming request"; the in-memory path does not). */
  const framework = (id: string) => gw.logs.filter((l) => l.includes('"incoming request"') && l.includes(`/v1/tasks/${id}`)).length;
  const read = (id: string, key = user.key, headers: Record<string, string> = {}) => gw.api(`/v1/tasks/${id}`, { key, headers });

  it('the second read of a task is served from memory, byte for byte what the full path answered', async () => {
    const created = (await (await gw.api('/v1/videos/generations', { method: 'POST', key: user.key, json: { model: 'veo3.1-fast', prompt: 'memory', duration: 4 } })).json()) as { id: string };
    await waitForTask(gw, created.id, { key: user.key });
    // A finished task's answer is kept until the minute ends (its signed video link changes then):
    // start well inside a minute, so the reads below are not split by its end.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 45_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 100));
    const before = framework(created.id);
    // A query string always takes the full path (and `wait=0` answers at once).
    const full = await gw.api(`/v1/tasks/${created.id}?wait=0`, { key: user.key });
    assert.equal(framework(created.id), before + 1);
    const fast = await read(created.id);
    assert.equal(framework(created.id), before + 1, 'the second read did not reach the framework');
    assert.equal(fast.status, 200);
    assert.equal(await fast.text(), await full.text());
    for (const h of HEADERS) assert.equal(fast.headers.get(h), full.headers.get(h), h);
    assert.match(fast.headers.get('x-request-id') ?? '', /^req_/);
    // Each read counts against the key's limit, on either path.
    assert.equal(Number(full.headers.get('x-ratelimit-remaining')) - Number(fast.headers.get('x-ratelimit-remaining')), 1);
    const etag = fast.headers.get('etag')!;
    const unchanged = await read(created.id, user.key, { 'if-none-match': etag });
    assert.equal(unchanged.status, 304);
    assert.equal(framework(created.id), before + 1, 'the 304 came from memory too');
    assert.equal((await gw.api(`/v1/tasks/${created.id}`, { key: user.key, headers: { 'x-request-id': 'mine-123' } })).headers.get('x-request-id'), 'mine-123');
  });

  it('never for another key, a revoked key, or a task that just changed', async () => {
    const created = (await (await gw.api('/v1/videos/generations', { method: 'POST', key: user.key, json: { model: 'veo3.1-fast', prompt: 'kept waiting [sim:429]', duration: 4 } })).json()) as { id: string };
    assert.equal((await read(created.id)).status, 200);
    assert.equal(((await (await read(created.id)).json()) as { status: string }).status, 'pending');
    // Another key: the same 404 as a missing task.
    const other = (await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'other' } })).json()) as { id: string; key: string };
    const foreign = await read(created.id, other.key);
    assert.equal(foreign.status, 404);
    // A change shows at once: the cancel's notice drops the remembered answer.
    assert.equal((await gw.api(`/v1/tasks/${created.id}`, { method: 'DELETE', key: user.key })).status, 200);
    const after = (await (await read(created.id)).json()) as { status: string; cancelled: boolean };
    assert.deepEqual([after.status, after.cancelled], ['failed', true]);
    // A revoked key is refused at once, however warm its cache was.
    assert.equal((await read(created.id)).status, 200);
    assert.equal((await gw.api(`/v1/admin/keys/${user.id}`, { method: 'DELETE' })).status, 200);
    assert.equal((await read(created.id)).status, 401);
  });

  it('a key over its limit gets the 429 envelope, not a remembered body', async () => {
    const limited = (await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'limited' } })).json()) as { id: string; key: string };
    await gw.api(`/v1/admin/keys/${limited.id}`, { method: 'PATCH', json: { rpm_limit: 4 } });
    const created = (await (await gw.api('/v1/videos/generations', { method: 'POST', key: limited.key, json: { model: 'veo3.1-fast', prompt: 'limited', duration: 4 } })).json()) as { id: string };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await read(created.id, limited.key)).status);
    assert.deepEqual(statuses, [200, 200, 200, 429, 429], 'the create counted too: 4 per minute');
  });

  it('reads served from memory are counted in /metrics; a repeated header takes the full path', async () => {
    const reader = (await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'counted' } })).json()) as { id: string; key: string };
    const created = (await (await gw.api('/v1/videos/generations', { method: 'POST', key: reader.key, json: { model: 'veo3.1-fast', prompt: 'counted', duration: 4 } })).json()) as { id: string };
    await waitForTask(gw, created.id, { key: reader.key });
    const reads = async () => {
      const text = await (await gw.api('/metrics')).text();
      return Number(/^vidgate_http_request_duration_seconds_count\{method="GET",route="\/v1\/tasks\/:id",status="200"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    };
    assert.equal((await read(created.id, reader.key)).status, 200);
    // A remembered answer lasts until the key's cache entry (5 s) or the signed link (the minute)
    // turns over; a block of reads that straddles that moment sends one through the framework (which
    // remembers again). Up to three blocks: one must come from memory entirely, and every read —
    // from memory or not — is counted.
    let framework0 = 0;
    let fromMemory = false;
    for (let block = 0; block < 3 && !fromMemory; block++) {
      const before = await reads();
      framework0 = framework(created.id);
      for (let i = 0; i < 5; i++) assert.equal((await read(created.id, reader.key)).status, 200);
      fromMemory = framework(created.id) === framework0;
      assert.equal((await reads()) - before, 5);
    }
    assert.ok(fromMemory, 'five reads in a row came from memory');

    // Two X-Request-ID headers (fetch would merge them): Node's rules for repeats apply on the full path.
    const answer = await rawGet(created.id, [`Authorization: Bearer ${reader.key}`, 'X-Request-ID: one', 'X-Request-ID: two']);
    assert.equal(answer.status, 200);
    assert.equal(framework(created.id), framework0 + 1, 'the repeated header went through the framework');
    assert.match(answer.requestId, /^req_/, 'a merged "one, two" is not a valid request id: one was generated');

    // Far more headers than a poller sends: the full path, which sees exactly the headers Node keeps.
    const padded = await rawGet(created.id, [...Array.from({ length: 40 }, (_, i) => `X-Filler-${i}: ${i}`), `Authorization: Bearer ${reader.key}`]);
    assert.equal(padded.status, 200);
    assert.equal(framework(created.id), framework0 + 2);
  });

  /** A GET written byte by byte (fetch would merge repeated headers). */
  async function rawGet(id: string, headerLines: string[]): Promise<{ status: number; requestId: string }> {
    const { hostname, port } = new URL(gw.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), hostname, () => {
        socket.end(`GET /v1/tasks/${id} HTTP/1.1\r\nHost: ${hostname}\r\n${headerLines.map((h) => `${h}\r\n`).join('')}Connection: close\r\n\r\n`);
      });
      let got = '';
      socket.on('data', (d) => (got += d));
      socket.on('end', () => resolve(got));
      socket.on('error', reject);
    });
    return { status: Number(raw.split(' ')[1]), requestId: /^x-request-id: (.*)$/im.exec(raw)?.[1]?.trim() ?? '' };
  }
});
