/**
 * Task reads answered off the socket (src/http/socket-reads.ts), on a real gateway over loopback:
 * the same bytes Node's server would send, connections that stay on the socket path while they
 * only read (an expired answer is looked up again, not handed over), and everything else —
 * another request, a refusal, a slow head, an idle or silent connection, a shutdown — exactly as
 * Node's server handles it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { createPgDatabase } from '../helpers/stores.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { RawClient, type RawResponse } from '../helpers/raw-client.js';

const KEEP_ALIVE_MS = 1000;
const HEADERS_TIMEOUT_MS = 1000;

describe('task reads answered off the socket', { timeout: 120_000 }, () => {
  let gw: TestGateway;
  let user: { id: string; key: string };
  let done: string;
  before(async () => {
    gw = await startTestGateway({ VIDGATE_RATE_LIMIT_RPM: '500', VIDGATE_KEEPALIVE_TIMEOUT_MS: String(KEEP_ALIVE_MS), VIDGATE_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS) });
    user = await newKey('socket reader');
    done = await create(user.key, 'socket reads');
    await waitForTask(gw, done, { key: user.key });
  });
  after(() => gw.close());

  async function newKey(name: string): Promise<{ id: string; key: string }> {
    return (await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name } })).json()) as { id: string; key: string };
  }
  async function create(key: string, prompt: string): Promise<string> {
    const res = await gw.api('/v1/videos/generations', { method: 'POST', key, json: { model: 'veo3.1-fast', prompt, duration: 4 } });
    return ((await res.json()) as { id: string }).id;
  }
  const readHead = (id: string, key = user.key, extra: string[] = []) => `GET /v1/tasks/${id} HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${key}\r\n${extra.map((l) => `${l}\r\n`).join('')}\r\n`;
  /** Requests that reached the framework for this task (it logs "incoming request"). */
  const framework = (id: string) => gw.logs.filter((l) => l.includes('"incoming request"') && l.includes(`/v1/tasks/${id}`)).length;
  async function memoryReads(): Promise<{ socket: number; http: number }> {
    const text = await (await gw.api('/metrics')).text();
    const door = (d: string) => Number(new RegExp(`^vidgate_task_reads_from_memory_total\\{door="${d}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    return { socket: door('socket'), http: door('http') };
  }
  /** The header lines that differ between any two answers to the same read, left out. */
  const stable = (r: RawResponse) => r.lines.filter((l) => !/^(date|x-request-id|x-ratelimit-remaining):/i.test(l));

  it("answers what Node's server answers, byte for byte but the per-request headers, without it", async () => {
    await gw.api(`/v1/tasks/${done}`, { key: user.key });
    // Node's side: a connection opened by another request belongs to Node's server.
    const viaNode = new RawClient(gw.url);
    viaNode.send(`GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n${readHead(done)}${readHead(done, user.key, ['If-None-Match: *'])}`);
    const [, node200, node304] = await viaNode.responsesUpTo(3);
    viaNode.socket.destroy();

    const before = await memoryReads();
    const frameworkBefore = framework(done);
    const onSocket = new RawClient(gw.url);
    onSocket.send(readHead(done, user.key, ['X-Request-ID: mine-42']));
    const [first] = await onSocket.responsesUpTo(1);
    onSocket.send(readHead(done, user.key, ['If-None-Match: *']));
    const [, second] = await onSocket.responsesUpTo(2);
    const after = await memoryReads();
    assert.deepEqual([after.socket - before.socket, after.http - before.http], [2, 0], 'both read off the socket');
    assert.equal(framework(done), frameworkBefore);

    assert.equal(first.status, 200);
    assert.deepEqual(stable(first), stable(node200));
    assert.equal(first.body, node200.body);
    assert.equal(first.headers['x-request-id'], 'mine-42');
    assert.match(first.headers.date, /^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$/);
    assert.equal(Number(first.headers['x-ratelimit-remaining']), Number(node304.headers['x-ratelimit-remaining']) - 1, 'counted against the key');
    assert.equal(second.status, 304);
    assert.deepEqual(stable(second), stable(node304));
    assert.equal(second.body, '');
    onSocket.socket.destroy();
  });

  it("header names as the framework sends them, a deprecated model's lifecycle headers included", async () => {
    const res = await gw.api('/v1/videos/generations', { method: 'POST', key: user.key, json: { model: 'seedance-1.5-pro', prompt: 'lifecycle', duration: 4, resolution: '480p' } });
    const id = ((await res.json()) as { id: string }).id;
    const names = (r: RawResponse) => r.lines.map((l) => l.slice(0, l.indexOf(':'))).sort();
    // The full path (a query string: through the framework), then memory on the socket.
    const c = new RawClient(gw.url);
    c.send(`GET /v1/tasks/${id}?wait=0 HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${user.key}\r\n\r\n`);
    const [full] = await c.responsesUpTo(1);
    const s = new RawClient(gw.url);
    s.send(readHead(id));
    const [memory] = await s.responsesUpTo(1);
    assert.ok(full.headers.deprecation !== undefined || full.headers.sunset !== undefined, 'the model is deprecated or retired');
    assert.deepEqual(names(memory), names(full));
    c.socket.destroy();
    s.socket.destroy();
  });

  it('pipelined reads are answered in order; the first other request hands the connection to Node, bytes and all', async () => {
    await gw.api(`/v1/tasks/${done}`, { key: user.key });
    const before = await memoryReads();
    const frameworkBefore = framework(done);
    const c = new RawClient(gw.url);
    c.send(`${readHead(done)}${readHead(done)}${readHead(done)}`);
    // The rest arrives split mid-head: Node's parser reassembles it.
    const query = `GET /v1/tasks/${done}?wait=0 HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${user.key}\r\n\r\n${readHead(done)}`;
    c.send(query.slice(0, 20));
    await new Promise((r) => setTimeout(r, 50));
    c.send(query.slice(20));
    const answers = await c.responsesUpTo(5);
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200, 200, 200, 200],
    );
    for (const a of answers) assert.equal(JSON.parse(a.body).id, done);
    const after = await memoryReads();
    assert.deepEqual([after.socket - before.socket, after.http - before.http], [3, 1], 'three off the socket, the last one through Node');
    assert.equal(framework(done), frameworkBefore + 1, 'the long poll went through the framework');
    c.socket.destroy();
  });

  it('an answer that expired is looked up again and the connection stays on the socket; a change shows at once', async () => {
    const running = await create(user.key, 'socket kept waiting [sim:429]');
    const c = new RawClient(gw.url);
    const before = await memoryReads();
    c.send(readHead(running));
    await c.responsesUpTo(1);
    // An unfinished task's answer is kept for 0.5 s.
    await new Promise((r) => setTimeout(r, 700));
    c.send(readHead(running));
    await c.responsesUpTo(2);
    assert.equal((await gw.api(`/v1/tasks/${running}`, { method: 'DELETE', key: user.key })).status, 200);
    c.send(readHead(running));
    const answers = await c.responsesUpTo(3);
    const after = await memoryReads();
    assert.deepEqual([after.socket - before.socket, after.http - before.http], [3, 0]);
    assert.equal(framework(running), 1, 'only the cancel went through the framework, no read');
    const seen = answers.map((a) => JSON.parse(a.body) as { status: string; cancelled?: boolean });
    for (const t of seen.slice(0, 2)) assert.ok(['pending', 'processing'].includes(t.status), t.status);
    assert.deepEqual([seen[2].status, seen[2].cancelled], ['failed', true]);
    c.socket.destroy();
  });

  it("refusals are Node's: another key's task 404s, a key over its limit 429s, a revoked key 401s", async () => {
    const other = await newKey('socket other');
    const foreign = new RawClient(gw.url);
    foreign.send(readHead(done, other.key));
    const [notYours] = await foreign.responsesUpTo(1);
    assert.equal(notYours.status, 404);
    assert.equal(JSON.parse(notYours.body).error.code, 'async_task_not_found');
    foreign.socket.destroy();

    const limited = await newKey('socket limited');
    await gw.api(`/v1/admin/keys/${limited.id}`, { method: 'PATCH', json: { rpm_limit: 3 } });
    const ownTask = await create(limited.key, 'limited socket reads');
    const l = new RawClient(gw.url);
    for (let i = 1; i <= 3; i++) {
      l.send(readHead(ownTask, limited.key));
      await l.responsesUpTo(i);
    }
    assert.deepEqual(
      l.responses.map((r) => r.status),
      [200, 200, 429],
      'the create counted too: 3 per minute',
    );
    assert.equal(JSON.parse(l.responses[2].body).error.type, 'rate_limit_exceeded');
    l.socket.destroy();

    const revoked = await newKey('socket revoked');
    const theirs = await create(revoked.key, 'revoked socket reads');
    const r = new RawClient(gw.url);
    r.send(readHead(theirs, revoked.key));
    await r.responsesUpTo(1);
    assert.equal((await gw.api(`/v1/admin/keys/${revoked.id}`, { method: 'DELETE' })).status, 200);
    r.send(readHead(theirs, revoked.key));
    const [, refused] = await r.responsesUpTo(2);
    assert.equal(refused.status, 401);
    r.socket.destroy();
  });

  it('a silent connection gets the 408 envelope; an idle one is closed after the keep-alive timeout; a slow head is cut off', async () => {
    const started = Date.now();
    const silent = new RawClient(gw.url);
    await silent.closed;
    const silentMs = Date.now() - started;
    assert.ok(silentMs >= HEADERS_TIMEOUT_MS - 100 && silentMs < HEADERS_TIMEOUT_MS + 3000, `closed after ${silentMs} ms`);
    assert.deepEqual(
      silent.responses.map((r) => [r.status, JSON.parse(r.body).error.code]),
      [[408, 'request_timeout']],
    );

    await gw.api(`/v1/tasks/${done}`, { key: user.key });
    const idle = new RawClient(gw.url);
    idle.send(readHead(done));
    await idle.responsesUpTo(1);
    const answeredAt = Date.now();
    await idle.closed;
    const idleMs = Date.now() - answeredAt;
    // Node waits a second past keepAliveTimeout; so does the socket path.
    assert.ok(idleMs >= KEEP_ALIVE_MS && idleMs < KEEP_ALIVE_MS + 3000, `closed after ${idleMs} ms idle`);
    assert.deepEqual([idle.responses.length, idle.rest()], [1, ''], 'closed quietly');

    const slow = new RawClient(gw.url);
    slow.send(readHead(done));
    await slow.responsesUpTo(1);
    slow.send('GET /v1/tasks HTTP/1.1\r\nHost: gw\r\n');
    const slowAt = Date.now();
    await slow.closed;
    assert.ok(Date.now() - slowAt < HEADERS_TIMEOUT_MS + 3000);
    assert.deepEqual(
      slow.responses.map((r) => r.status),
      [200, 408],
    );
  });
});

describe('task reads on the socket: what a connection may end with', { timeout: 120_000 }, () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ VIDGATE_KEEPALIVE_TIMEOUT_MS: '30000', VIDGATE_HEADERS_TIMEOUT_MS: '30000' });
  });
  after(() => gw.close());

  it("a client's FIN closes the connection at once, after the answer (and with no request at all)", async () => {
    const user = (await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'fin' } })).json()) as { key: string };
    const id = ((await (await gw.api('/v1/videos/generations', { method: 'POST', key: user.key, json: { model: 'veo3.1-fast', prompt: 'fin', duration: 4 } })).json()) as { id: string }).id;
    await gw.api(`/v1/tasks/${id}`, { key: user.key });
    for (const lookedUp of [false, true]) {
      // The second time the answer is not in memory: the FIN waits for the lookup, then the answer.
      if (lookedUp) await new Promise((r) => setTimeout(r, 600));
      const c = new RawClient(gw.url);
      c.socket.end(`GET /v1/tasks/${id} HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${user.key}\r\n\r\n`);
      const started = Date.now();
      await c.closed;
      assert.deepEqual(
        c.responses.map((r) => r.status),
        [200],
      );
      assert.ok(Date.now() - started < 2_000, `closed ${Date.now() - started} ms after the FIN (keep-alive timeout 30 s)`);
    }
    const silent = new RawClient(gw.url);
    silent.socket.end();
    const started = Date.now();
    await silent.closed;
    assert.ok(Date.now() - started < 2_000, `a bare FIN closed after ${Date.now() - started} ms (header timeout 30 s)`);
    assert.equal(silent.rest(), '');
  });

  it('a worker node answers no task read, on the socket or through Node', async () => {
    const user = (await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'worker reads' } })).json()) as { key: string };
    const id = ((await (await gw.api('/v1/videos/generations', { method: 'POST', key: user.key, json: { model: 'veo3.1-fast', prompt: 'worker', duration: 4 } })).json()) as { id: string }).id;
    // A worker on the same database (the last test here: its close removes the shared folder).
    const worker = await startTestGateway({ VIDGATE_ROLE: 'worker', VIDGATE_DATA_DIR: gw.dataDir, VIDGATE_ADMIN_KEY: gw.adminKey });
    try {
      const read = `GET /v1/tasks/${id} HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${user.key}\r\n\r\n`;
      for (const first of ['', 'GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n']) {
        const c = new RawClient(worker.url);
        c.send(first + read);
        const answers = await c.responsesUpTo(first ? 2 : 1);
        const last = answers.at(-1)!;
        assert.equal(last.status, 404);
        assert.match(JSON.parse(last.body).error.message, /No route|not found/i);
        c.socket.destroy();
      }
    } finally {
      await worker.close();
    }
  });
});

describe('a head that stalls after reads answered on the socket', { timeout: 60_000 }, () => {
  it("is closed quietly when the keep-alive timer of the last answer ends, as on Node's path", async () => {
    const gw = await startTestGateway({ VIDGATE_KEEPALIVE_TIMEOUT_MS: '1000', VIDGATE_HEADERS_TIMEOUT_MS: '6000' });
    try {
      const user = (await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'stall' } })).json()) as { key: string };
      const id = ((await (await gw.api('/v1/videos/generations', { method: 'POST', key: user.key, json: { model: 'veo3.1-fast', prompt: 'stall', duration: 4 } })).json()) as { id: string }).id;
      await gw.api(`/v1/tasks/${id}`, { key: user.key });
      const read = `GET /v1/tasks/${id} HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${user.key}\r\n\r\n`;
      // Node's path (a connection opened by another request) and the socket path, side by side.
      const closes = await Promise.all(
        ['GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n', ''].map(async (first) => {
          const c = new RawClient(gw.url);
          c.send(first + read);
          await c.responsesUpTo(first ? 2 : 1);
          const answeredAt = Date.now();
          await new Promise((r) => setTimeout(r, 200));
          c.send('GET /v1/tasks HTTP/1.1\r\nHost: gw\r\n');
          await c.closed;
          return { ms: Date.now() - answeredAt, statuses: c.responses.map((r) => r.status), rest: c.rest() };
        }),
      );
      for (const [path, close] of [
        ['Node', closes[0]],
        ['socket', closes[1]],
      ] as const) {
        // keepAliveTimeout + Node's 1 s, well before the 6 s header timeout; no 408.
        assert.ok(close.ms >= 1_800 && close.ms < 4_000, `${path}: closed ${close.ms} ms after the answer`);
        assert.ok(!close.statuses.includes(408), `${path}: ${close.statuses}`);
        assert.equal(close.rest, '');
      }
    } finally {
      await gw.close();
    }
  });

  it('a request that arrives whole after the hand-over runs with the idle timeout, not the keep-alive timer', async () => {
    const gw = await startTestGateway({ VIDGATE_KEEPALIVE_TIMEOUT_MS: '1000' });
    try {
      const user = (await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'long poll after reads' } })).json()) as { key: string };
      const id = ((await (await gw.api('/v1/videos/generations', { method: 'POST', key: user.key, json: { model: 'veo3.1-fast', prompt: 'kept waiting [sim:429]', duration: 4 } })).json()) as { id: string }).id;
      await gw.api(`/v1/tasks/${id}`, { key: user.key });
      const c = new RawClient(gw.url);
      c.send(`GET /v1/tasks/${id} HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${user.key}\r\n\r\n`);
      await c.responsesUpTo(1);
      // A long poll of 4 s, longer than the 2 s keep-alive timer, handed to Node's server.
      c.send(`GET /v1/tasks/${id}?wait=4 HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${user.key}\r\n\r\n`);
      const [, waited] = await c.responsesUpTo(2, 10_000);
      assert.equal(waited.status, 200);
      c.socket.destroy();
    } finally {
      await gw.close();
    }
  });
});

describe('a task read whose lookup hangs (PostgreSQL gone silent)', { timeout: 120_000 }, () => {
  it("ends at the idle timeout as on Node's path, and a shutdown closes it after its grace period", async () => {
    const database = await createPgDatabase();
    const proxy = new TcpProxy('127.0.0.1', 5432);
    await proxy.start();
    const viaProxy = new URL(database.url);
    viaProxy.port = String(proxy.port);
    const gw = await startTestGateway({ VIDGATE_DATABASE_URL: viaProxy.toString(), VIDGATE_IDLE_TIMEOUT_MS: '1500', VIDGATE_KEEPALIVE_TIMEOUT_MS: '30000', VIDGATE_ROLE: 'api' });
    let closing: Promise<void> | undefined;
    try {
      const user = (await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'hung' } })).json()) as { key: string };
      const id = ((await (await gw.api('/v1/videos/generations', { method: 'POST', key: user.key, json: { model: 'veo3.1-fast', prompt: 'hung', duration: 4 } })).json()) as { id: string }).id;
      // The key is confirmed (cached for 5 s); the task's answer is not in memory: its lookup goes to the store.
      assert.equal((await gw.api('/v1/models', { key: user.key })).status, 200);
      proxy.freeze();
      const read = `GET /v1/tasks/${id} HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${user.key}\r\n\r\n`;
      const hung = new RawClient(gw.url);
      hung.send(read);
      const started = Date.now();
      await hung.closed;
      const took = Date.now() - started;
      assert.ok(took >= 1_400 && took < 4_000, `closed after ${took} ms (idle timeout 1500)`);
      assert.deepEqual(hung.responses, []);

      const atShutdown = new RawClient(gw.url);
      atShutdown.send(read);
      await new Promise((r) => setTimeout(r, 200));
      const shutdownAt = Date.now();
      closing = gw.close(500);
      await atShutdown.closed;
      assert.ok(Date.now() - shutdownAt < 1_400, `closed ${Date.now() - shutdownAt} ms into a shutdown with 500 ms grace`);
    } finally {
      // Cut the frozen connections so the store can close.
      await proxy.stop();
      await (closing ?? gw.close());
      await database.drop();
    }
  });
});

describe('shutting down with connections on the socket path', { timeout: 60_000 }, () => {
  it('closes them at once, as Node closes its idle connections', async () => {
    const gw = await startTestGateway({ VIDGATE_KEEPALIVE_TIMEOUT_MS: '60000', VIDGATE_IDLE_TIMEOUT_MS: '120000' });
    const user = (await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'closing' } })).json()) as { key: string };
    const id = ((await (await gw.api('/v1/videos/generations', { method: 'POST', key: user.key, json: { model: 'veo3.1-fast', prompt: 'closing', duration: 4 } })).json()) as { id: string }).id;
    await gw.api(`/v1/tasks/${id}`, { key: user.key });
    const c = new RawClient(gw.url);
    c.send(`GET /v1/tasks/${id} HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${user.key}\r\n\r\n`);
    assert.equal((await c.responsesUpTo(1))[0].status, 200);
    const started = Date.now();
    await gw.close();
    await c.closed;
    assert.ok(Date.now() - started < 5_000, `closed within ${Date.now() - started} ms`);
  });
});
