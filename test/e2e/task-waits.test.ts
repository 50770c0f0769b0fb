/**
 * Reads that need no polling loop: ETag / If-None-Match → 304, long poll (`?wait=N`), Server-Sent
 * Events (`/v1/tasks/{id}/events`) — isolated per key, limited per key, and across nodes on
 * PostgreSQL (a task finished by another node wakes the waiter through LISTEN/NOTIFY).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPgDatabase } from '../helpers/stores.js';
import { startTestGateway, waitForStatus, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';
import { until } from '../helpers/until.js';

const CLIP = { model: 'veo3.1-fast', prompt: 'waves on a pier', duration: 4 };

interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** Reads a text/event-stream until it ends (or `stopAfter` says so), returning the events and comments seen. */
async function readEvents(res: Response, stopAfter: (events: SseEvent[]) => boolean = () => false): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const e: SseEvent = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) e.comment = line.slice(1).trim();
        else {
          const [field, ...rest] = line.split(': ');
          (e as Record<string, string>)[field] = rest.join(': ');
        }
      }
      events.push(e);
    }
    if (stopAfter(events)) {
      await reader.cancel();
      break;
    }
  }
  return events;
}

async function create(gw: TestGateway, body: Record<string, unknown> = CLIP, key?: string): Promise<string> {
  const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body, key });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { id: string }).id;
}

describe('task waits: ETag, long poll, event streams', { timeout: 120_000 }, () => {
  let gw: TestGateway;
  let other: string;
  before(async () => {
    gw = await startTestGateway({ VIDGATE_STREAM_HEARTBEAT_MS: '300', VIDGATE_MAX_WAITS_PER_KEY: '2', VIDGATE_SANDBOX_SPEED: '10' });
    other = ((await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'someone else' } })).json()) as { key: string }).key;
  });
  after(() => gw.close());

  it('ETag on task reads; If-None-Match with the current tag is a 304 without a body', async () => {
    const id = await create(gw);
    const done = await waitForTask(gw, id);
    const first = await gw.api(`/v1/tasks/${id}`);
    const etag = first.headers.get('etag');
    assert.match(etag ?? '', /^"[0-9a-f]+"$/);
    const body = (await first.json()) as { id: string; status: string };
    assert.deepEqual([body.id, body.status], [id, done.status]);
    const again = await gw.api(`/v1/tasks/${id}`, { headers: { 'if-none-match': etag! } });
    assert.equal(again.status, 304);
    assert.equal((await again.text()).length, 0);
    assert.equal((await gw.api(`/v1/tasks/${id}`, { headers: { 'if-none-match': '"stale"' } })).status, 200);
    // `*` matches any current representation (RFC 9110): 304, from memory as from the store.
    for (let i = 0; i < 2; i++) assert.equal((await gw.api(`/v1/tasks/${id}`, { headers: { 'if-none-match': '*' } })).status, 304);
  });

  it('?wait=N answers as soon as what a client sees changes, and at once for a finished task', async () => {
    const id = await create(gw);
    const seen = ((await (await gw.api(`/v1/tasks/${id}`)).json()) as { status: string }).status;
    const t0 = Date.now();
    const res = await gw.api(`/v1/tasks/${id}?wait=30`);
    const body = (await res.json()) as { status: string };
    assert.equal(res.status, 200);
    assert.notEqual(body.status, seen, 'answered on a change');
    assert.ok(Date.now() - t0 < 25_000);
    const done = await waitForTask(gw, id);
    const t1 = Date.now();
    const immediate = await gw.api(`/v1/tasks/${id}?wait=60`);
    assert.equal(((await immediate.json()) as { status: string }).status, done.status);
    assert.ok(Date.now() - t1 < 2_000, 'a finished task does not wait');
    // With If-None-Match: holds until the tag differs; a finished task with the current tag is 304 now.
    const tag = (await gw.api(`/v1/tasks/${id}`)).headers.get('etag')!;
    assert.equal((await gw.api(`/v1/tasks/${id}?wait=5`, { headers: { 'if-none-match': tag } })).status, 304);
  });

  it('?wait holds an unchanging task for N seconds, then answers it as it is', async () => {
    const id = await create(gw, { ...CLIP, prompt: 'never accepted [sim:429]' });
    await waitForStatus(gw, id, ['pending']);
    const t0 = Date.now();
    const res = await gw.api(`/v1/tasks/${id}?wait=2`);
    const waited = Date.now() - t0;
    assert.equal(((await res.json()) as { status: string }).status, 'pending');
    assert.ok(waited >= 1_900 && waited < 6_000, `waited ${waited} ms`);
    for (const bad of ['61', '-1', 'soon', '1.5']) {
      const r = await gw.api(`/v1/tasks/${id}?wait=${bad}`);
      assert.equal(r.status, 400);
      assert.equal(((await r.json()) as { error: { param: string } }).error.param, 'wait');
    }
    await gw.api(`/v1/tasks/${id}`, { method: 'DELETE' });
  });

  it('event stream: the task at every change, ids are versions, closes after the terminal one', async () => {
    const id = await create(gw);
    const res = await gw.api(`/v1/tasks/${id}/events`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = (await readEvents(res)).filter((e) => e.data);
    const bodies = events.map((e) => JSON.parse(e.data!) as { status: string; id: string });
    assert.ok(bodies.length >= 2, JSON.stringify(bodies));
    assert.equal(bodies.at(-1)!.status, 'completed');
    assert.ok(bodies.every((b) => b.id === id));
    const versions = events.map((e) => Number(e.id!.split(':')[0]));
    assert.ok(
      versions.every((v, i) => i === 0 || v > versions[i - 1]),
      `versions increase: ${versions}`,
    );
    // Resuming from the last id of a finished task: nothing to resend, the stream just ends.
    const resumed = await gw.api(`/v1/tasks/${id}/events`, { headers: { 'last-event-id': events.at(-1)!.id! } });
    assert.deepEqual(
      (await readEvents(resumed)).filter((e) => e.data),
      [],
    );
  });

  it('heartbeats keep a quiet stream alive; Last-Event-ID skips what the client has', async () => {
    const id = await create(gw, { ...CLIP, prompt: 'quiet [sim:429]' });
    const first = await gw.api(`/v1/tasks/${id}/events`);
    const opening = await readEvents(first, (ev) => ev.some((e) => e.comment === 'heartbeat'));
    const shown = opening.find((e) => e.data)!;
    assert.ok(opening.some((e) => e.comment === 'heartbeat'));
    const resumed = await gw.api(`/v1/tasks/${id}/events`, { headers: { 'last-event-id': shown.id! } });
    const later = await readEvents(resumed, (ev) => ev.some((e) => e.comment === 'heartbeat'));
    assert.deepEqual(
      later.filter((e) => e.data),
      [],
      'nothing resent',
    );
    await gw.api(`/v1/tasks/${id}`, { method: 'DELETE' });
  });

  it('a read, a long poll and an event stream carry the same identifying and rate-limit headers', async () => {
    // A finished task: it has a billing transaction, and the stream ends after its one event.
    const id = await create(gw);
    await waitForTask(gw, id);
    const answers: [string, Response][] = [];
    for (const [what, path] of [
      ['read', `/v1/tasks/${id}`],
      ['long-poll', `/v1/tasks/${id}?wait=1`],
      ['event-stream', `/v1/tasks/${id}/events`],
    ]) {
      const res = await gw.api(path, { headers: { 'x-request-id': `mine-${what}` } });
      await res.text();
      answers.push([what, res]);
    }
    const [, read] = answers[0];
    assert.equal(read.headers.get('x-task-id'), id);
    assert.match(read.headers.get('x-billing-transaction-id') ?? '', /./, 'the settlement is named');
    let remaining = Infinity;
    for (const [what, res] of answers) {
      assert.equal(res.status, 200, what);
      assert.equal(res.headers.get('x-request-id'), `mine-${what}`, what);
      for (const h of ['x-task-id', 'x-billing-transaction-id', 'x-ratelimit-limit']) assert.equal(res.headers.get(h), read.headers.get(h), `${what}: ${h}`);
      // Each counted once, in order.
      const left = Number(res.headers.get('x-ratelimit-remaining') ?? NaN);
      assert.ok(left < remaining, `${what}: X-RateLimit-Remaining ${res.headers.get('x-ratelimit-remaining')} after ${remaining}`);
      remaining = left;
      assert.ok(Number(res.headers.get('x-ratelimit-reset')) > Date.now() / 1000, `${what}: X-RateLimit-Reset`);
    }
  });

  it('another key’s task is a 404 for waits and streams; a key holds at most its limit of open waits', async () => {
    const id = await create(gw, { ...CLIP, prompt: 'limited [sim:429]' });
    for (const path of [`/v1/tasks/${id}?wait=5`, `/v1/tasks/${id}/events`]) {
      const r = await gw.api(path, { key: other });
      assert.equal(r.status, 404);
      assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'async_task_not_found');
    }
    const a = new AbortController();
    const open = [await gw.api(`/v1/tasks/${id}/events`, { signal: a.signal }), await gw.api(`/v1/tasks/${id}/events`, { signal: a.signal })];
    assert.deepEqual(
      open.map((r) => r.status),
      [200, 200],
    );
    const third = await gw.api(`/v1/tasks/${id}?wait=5`);
    assert.equal(third.status, 429);
    assert.equal(((await third.json()) as { error: { code: string } }).error.code, 'too_many_waits');
    assert.equal((await gw.api(`/v1/tasks/${id}?wait=1`, { key: other })).status, 404, 'another key has its own budget (and no access)');
    a.abort();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await gw.api(`/v1/tasks/${id}?wait=1`)).status, 200, 'closing streams frees the slots');
    await gw.api(`/v1/tasks/${id}`, { method: 'DELETE' });
  });
  it('revoking a key ends its open event stream (an error event, then the close) and answers its long poll 401 within seconds; another key’s stream goes on', async () => {
    const created = (await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'revoked while waiting' } })).json()) as { id: string; key: string };
    const hung = { ...CLIP, prompt: 'never finishes [sim:hang]' };
    const [mine, theirs] = [await create(gw, hung, created.key), await create(gw, hung, other)];
    // Submitted upstream (then nothing changes what a client sees): the long poll below can only end by the revocation.
    const status = async () => ((await (await gw.api(`/v1/tasks/${mine}`, { key: created.key })).json()) as { status: string }).status;
    await until('the task is processing', async () => (await status()) === 'processing');
    const limit = { signal: AbortSignal.timeout(20_000) };
    // Sent before the stream opens; by the stream's first heartbeat (waited for below) it is held.
    const poll = gw.api(`/v1/tasks/${mine}?wait=35`, { key: created.key, ...limit }).then(async (r) => ({ status: r.status, body: await r.json(), at: Date.now() }));
    const stream = await gw.api(`/v1/tasks/${mine}/events`, { key: created.key, ...limit });
    const otherStream = await gw.api(`/v1/tasks/${theirs}/events`, { key: other, ...limit });
    assert.deepEqual([stream.status, otherStream.status], [200, 200]);
    let streamOpen!: () => void;
    const heartbeating = new Promise<void>((resolve) => (streamOpen = resolve));
    const ended = readEvents(stream, (events) => {
      if (events.some((e) => e.comment === 'heartbeat')) streamOpen();
      return false;
    }).then((events) => ({ events, at: Date.now() }));
    // The other key's stream: read until two heartbeats after the revoked key's waits have ended.
    let settled = -1;
    let afterRevocation = false;
    const othersEvents = readEvents(otherStream, (events) => {
      if (afterRevocation && settled < 0) settled = events.length;
      return settled >= 0 && events.slice(settled).filter((e) => e.comment === 'heartbeat').length >= 2;
    });
    await heartbeating;

    const revokedAt = Date.now();
    assert.equal((await gw.api(`/v1/admin/keys/${created.id}`, { method: 'DELETE' })).status, 200);
    const [streamEnd, pollEnd] = await Promise.all([ended, poll]);
    afterRevocation = true;
    // The stream: an `error` event with the 401 envelope, then the end.
    const last = streamEnd.events.at(-1)!;
    assert.equal(last.event, 'error', JSON.stringify(streamEnd.events.slice(-3)));
    assert.equal((JSON.parse(last.data!) as { error: { code: string } }).error.code, 'invalid_api_key');
    assert.ok(streamEnd.at - revokedAt < 5_000, `stream ended ${streamEnd.at - revokedAt} ms after the revocation`);
    // The long poll: 401 invalid_api_key, the TokenLab envelope.
    assert.equal(pollEnd.status, 401, JSON.stringify(pollEnd.body));
    assert.deepEqual(validateAgainst('ApiError', pollEnd.body), []);
    assert.equal((pollEnd.body as { error: { code: string } }).error.code, 'invalid_api_key');
    assert.ok(pollEnd.at - revokedAt < 5_000, `long poll answered ${pollEnd.at - revokedAt} ms after the revocation`);
    // A reconnect is refused.
    assert.equal((await gw.api(`/v1/tasks/${mine}/events`, { key: created.key })).status, 401);

    const others = await othersEvents;
    assert.ok(settled >= 0, 'the other key’s stream was still open after the revocation');
    assert.deepEqual(
      others.filter((e) => e.event === 'error'),
      [],
    );
    await gw.api(`/v1/tasks/${theirs}`, { method: 'DELETE', key: other });
  });
});

describe('long poll across nodes (PostgreSQL LISTEN/NOTIFY)', { timeout: 120_000 }, () => {
  let database: Awaited<ReturnType<typeof createPgDatabase>>;
  let apiNode: TestGateway;
  let workerNode: TestGateway;
  before(async () => {
    database = await createPgDatabase();
    workerNode = await startTestGateway({ VIDGATE_DATABASE_URL: database.url, VIDGATE_ROLE: 'worker' });
    // The fallback re-check is pushed out of reach: only a notice from the worker node can wake the waiter in time.
    apiNode = await startTestGateway({ VIDGATE_DATABASE_URL: database.url, VIDGATE_ROLE: 'api', VIDGATE_ADMIN_KEY: workerNode.adminKey, VIDGATE_WAIT_RECHECK_MS: '60000' });
  });
  after(async () => {
    await apiNode?.close();
    await workerNode?.close();
    await database.drop();
  });

  it('a task finished by another node wakes the waiter at once (not at the fallback re-check)', async () => {
    assert.equal((await fetch(`${workerNode.url}/v1/models`)).status, 404, 'a worker node serves no API');
    assert.equal((await fetch(`${workerNode.url}/healthz`)).status, 200);
    const t0 = Date.now();
    const key = workerNode.adminKey; // the key both nodes were started with
    const id = await create(apiNode, CLIP, key);
    let status = 'pending';
    const seen: string[] = [];
    while (status !== 'completed' && status !== 'failed') {
      const res = await apiNode.api(`/v1/tasks/${id}?wait=55`, { key });
      status = ((await res.json()) as { status: string }).status;
      seen.push(status);
    }
    assert.equal(status, 'completed');
    // The job takes a few seconds in the sandbox; each wait here could only end that soon by a notice.
    assert.ok(Date.now() - t0 < 20_000, `took ${Date.now() - t0} ms; saw ${seen}`);
  });
});
