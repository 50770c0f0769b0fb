import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { after, before, describe, it } from 'node:test';
import { Vidgate, VidgateError, type Task } from '../../src/client/index.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/** Every task of the key, through the SDK's pages. */
async function allTasks(vg: Vidgate): Promise<Task[]> {
  const out: Task[] = [];
  for await (const t of vg.tasks.list({ limit: 100 }).items()) out.push(t);
  return out;
}

const REQUEST = { model: 'veo3.1-fast', prompt: 'A paper boat drifting down a rainy street', duration: 4, aspect_ratio: '16:9' } as const;

describe('SDK against a real gateway', { timeout: 240_000 }, () => {
  let gw: TestGateway;
  let vg: Vidgate;

  before(async () => {
    gw = await startTestGateway();
    vg = new Vidgate({ baseUrl: gw.url, apiKey: gw.adminKey });
  });
  after(() => gw.close());

  it('generate: creates, reports progress, resolves with the completed task; download and stream give the MP4', async () => {
    const seen: Task[] = [];
    const task = await vg.videos.generate(REQUEST, { onProgress: (t) => seen.push(t), pollIntervalMs: 200 });
    assert.equal(task.status, 'completed');
    assert.equal(task.model, 'veo3.1-fast');
    assert.ok(task.video && task.video.width === 1280 && task.video.height === 720);
    // Every report is a change, in the order of the lifecycle, ending with the completed task.
    const statuses = seen.map((t) => t.status);
    assert.equal(statuses.at(-1), 'completed');
    const order = ['pending', 'processing', 'completed'];
    for (let i = 1; i < statuses.length; i++) assert.ok(order.indexOf(statuses[i]) >= order.indexOf(statuses[i - 1]), `status went back: ${statuses.join(' → ')}`);
    const fingerprints = seen.map((t) => `${t.status}:${t.progress ?? ''}`);
    assert.equal(new Set(fingerprints).size, fingerprints.length, 'onProgress only on changes');

    const bytes = await vg.files.download(task);
    assert.ok(bytes.byteLength > 1000);
    assert.equal(Buffer.from(bytes.subarray(4, 8)).toString('latin1'), 'ftyp', 'an MP4');
    const byId = await vg.files.download(task.id);
    assert.deepEqual(Buffer.from(byId), Buffer.from(bytes));

    const stream = await vg.files.stream(task);
    let size = 0;
    for await (const chunk of stream) size += (chunk as Uint8Array).byteLength;
    assert.equal(size, bytes.byteLength);
  });

  it('errors carry the server envelope: status, code, type, param, requestId, message', async () => {
    const err = await vg.videos.create({ ...REQUEST, duration: 7 }).then(
      () => assert.fail('a 7 s Veo video must be refused'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof VidgateError);
    assert.equal(err.status, 400);
    assert.equal(err.type, 'invalid_request_error');
    assert.equal(err.param, 'duration');
    assert.match(err.message, /4, 5, 6, 8|allowed/i);
    assert.match(err.requestId ?? '', /\S/);
    assert.ok(Array.isArray(err.details.allowed_durations));

    const missing = await vg.tasks.get('ldtask_00000000000000000000000000000000').catch((e: unknown) => e);
    assert.ok(missing instanceof VidgateError);
    assert.equal(missing.status, 404);
    assert.equal(missing.code, 'async_task_not_found');

    const anonymous = new Vidgate({ baseUrl: gw.url });
    const unauth = await anonymous.tasks.get('ldtask_00000000000000000000000000000000').catch((e: unknown) => e);
    assert.ok(unauth instanceof VidgateError);
    assert.equal(unauth.status, 401);
  });

  it('an empty id (an unset variable) is refused before any request, not answered with the list it would name', async () => {
    // GET /v1/tasks/ is the task list and GET /v1/models/ the model list: neither may come back typed as one item.
    for (const [what, call] of [
      ['tasks.get', () => vg.tasks.get('')],
      ['tasks.cancel', () => vg.tasks.cancel('')],
      ['tasks.wait', () => vg.tasks.wait(' ', { timeoutMs: 5_000 })],
      ['files.download', () => vg.files.download('')],
      ['models.get', () => vg.models.get('')],
      ['pricing.get', () => vg.pricing.get('')],
      ['tasks.get ..', () => vg.tasks.get('..')],
    ] as const) {
      const err = await (call as () => Promise<unknown>)().then(
        (answer) => assert.fail(`${what}: resolved with ${JSON.stringify(answer).slice(0, 80)}`),
        (e: unknown) => e,
      );
      assert.ok(err instanceof VidgateError, `${what}: ${String(err)}`);
      assert.equal(err.code, 'invalid_id', what);
      assert.equal(err.param, 'id', what);
    }
  });

  it('every call takes { signal } as its last argument and stops when it aborts (tasks.cancel took none)', async () => {
    const proxy = await startFaultProxy(gw.url, () => ({ kind: 'hang' })); // a gateway that never answers
    try {
      const client = new Vidgate({ baseUrl: proxy.url, apiKey: gw.adminKey });
      const controller = new AbortController();
      const { signal } = controller;
      const id = 'ldtask_00000000000000000000000000000000';
      const calls = {
        'videos.create': () => client.videos.create(REQUEST, { signal }),
        'videos.generate': () => client.videos.generate(REQUEST, { signal }),
        'tasks.get': () => client.tasks.get(id, { signal }),
        'tasks.cancel': () => client.tasks.cancel(id, { signal }),
        'tasks.wait': () => client.tasks.wait(id, { signal }),
        'tasks.list': () => client.tasks.list({}, { signal }).first(),
        'models.list': () => client.models.list({}, { signal }),
        'models.get': () => client.models.get('veo3.1-fast', { signal }),
        'pricing.get()': () => client.pricing.get({ signal }),
        'pricing.get(model)': () => client.pricing.get('veo3.1-fast', { signal }),
        'files.download': () => client.files.download(id, { signal }),
        'files.stream': () => client.files.stream(id, { signal }),
      };
      const reason = new Error('the caller gave up');
      const started = Date.now();
      const outcomes = Object.entries(calls).map(([name, call]) =>
        call().then(
          () => `${name}: resolved`,
          (e: unknown) => (e === reason ? undefined : `${name}: ${String(e)}`),
        ),
      );
      setTimeout(() => controller.abort(reason), 200);
      // The client's own timeout is 60 s: anything not stopped by the signal is still hanging at 5 s.
      const settled = await Promise.race([Promise.all(outcomes), new Promise<string[]>((r) => setTimeout(() => r(['still hanging after 5 s']), 5_000))]);
      assert.deepEqual(settled.filter(Boolean), []);
      assert.ok(Date.now() - started < 5_000);
      assert.equal(proxy.seen.filter((r) => r.method === 'DELETE').length, 1, 'the cancel was sent, then abandoned');
    } finally {
      await proxy.close();
    }
  });

  it('a video its owner deleted is not said to be deleted by retention', async () => {
    const task = await vg.videos.generate(REQUEST, { pollIntervalMs: 200 });
    assert.equal((await gw.api(`/v1/videos/${task.id}`, { method: 'DELETE' })).status, 200);
    const err = await vg.files.download(task.id).catch((e: unknown) => e);
    assert.ok(err instanceof VidgateError, String(err));
    assert.equal(err.code, 'video_not_available');
    assert.match(err.message, /deleted at \d{4}-\d\d-\d\dT.*DELETE \/v1\/videos/);
  });

  it('a baseUrl that is not an http(s) URL (localhost:8080, no scheme) is refused by the constructor', () => {
    for (const baseUrl of ['localhost:8080', '127.0.0.1:8080', 'ftp://127.0.0.1:8080', 'http//127.0.0.1']) {
      assert.throws(() => new Vidgate({ baseUrl }), /baseUrl must be an http\(s\) URL/, baseUrl);
    }
    assert.doesNotThrow(() => new Vidgate({ baseUrl: 'https://video.example.com/v1/' }));
  });

  it('an apiKey that cannot be sent in a header (sk-…, a smart quote) is refused by the constructor, not reported as "Cannot reach"', () => {
    for (const apiKey of ['sk-…', `sk-${'a'.repeat(20)}\u201d`, 'sk-a\nb']) {
      assert.throws(
        () => new Vidgate({ baseUrl: gw.url, apiKey }),
        (e: unknown) => e instanceof TypeError && /apiKey has a character that is not printable ASCII/.test(e.message) && !e.message.includes(apiKey),
        JSON.stringify(apiKey),
      );
    }
    // Whitespace around a key read from a file is not part of it (fetch trims header values).
    assert.doesNotThrow(() => new Vidgate({ baseUrl: gw.url, apiKey: `${gw.adminKey}\n` }));
  });

  it('generate rejects with a task_failed VidgateError when the task fails', async () => {
    // The sandbox's prompt markers make the upstream fail the job (src/sandbox/README.md).
    const err = await vg.videos.generate({ ...REQUEST, prompt: 'please [sim:fail] now' }, { pollIntervalMs: 200 }).catch((e: unknown) => e);
    assert.ok(err instanceof VidgateError, String(err));
    assert.equal(err.type, 'task_failed');
    assert.equal(err.task?.status, 'failed');
    assert.equal(err.code, err.task?.error?.code);
  });

  it('models and pricing', async () => {
    const list = await vg.models.list();
    assert.ok(list.data.some((m) => m.id === 'veo3.1-fast'));
    const compact = await vg.models.list({ view: 'compact', provider: 'kling' });
    assert.ok(compact.data.length > 0 && compact.data.every((m) => m.id.startsWith('kling')));
    const model = await vg.models.get('veo3.1-fast');
    assert.equal(model.id, 'veo3.1-fast');
    const all = await vg.pricing.get();
    assert.ok(all.data.length >= list.data.length);
    const one = await vg.pricing.get('veo3.1-fast');
    assert.equal(one.model, 'veo3.1-fast');
    const unknown = await vg.models.get('veo-9000').catch((e: unknown) => e);
    assert.ok(unknown instanceof VidgateError && unknown.status === 404 && unknown.code === 'model_not_found');
  });

  it('a create whose answer is lost is retried with the same Idempotency-Key: one task, not two', async () => {
    let posts = 0;
    const proxy = await startFaultProxy(gw.url, (req) => (req.method === 'POST' && ++posts === 1 ? { kind: 'lose-answer' } : { kind: 'forward' }));
    try {
      const before = (await allTasks(vg)).length;
      const client = new Vidgate({ baseUrl: proxy.url, apiKey: gw.adminKey, maxRetries: 2 });
      const created = await client.videos.create(REQUEST);
      const creates = proxy.seen.filter((r) => r.method === 'POST');
      assert.equal(creates.length, 2, 'the lost answer was retried');
      const keys = creates.map((r) => r.headers['idempotency-key']);
      assert.ok(typeof keys[0] === 'string' && keys[0].length > 0);
      assert.equal(keys[0], keys[1], 'same key on the retry');
      assert.equal((await allTasks(vg)).length, before + 1, 'exactly one task stored');
      assert.match(created.id, /^ldtask_[0-9a-f]{32}$/);
      // A separate call is a separate request: a new key, a new task.
      await client.videos.create(REQUEST);
      const third = proxy.seen.filter((r) => r.method === 'POST')[2];
      assert.notEqual(third.headers['idempotency-key'], keys[0]);
      assert.equal((await allTasks(vg)).length, before + 2);
    } finally {
      await proxy.close();
    }
  });

  it('retries 429/5xx honouring Retry-After, and stops after maxRetries', async () => {
    let n = 0;
    const proxy = await startFaultProxy(gw.url, () => (++n === 1 ? { kind: 'status', status: 503, headers: { 'retry-after': '1' } } : { kind: 'forward' }));
    try {
      const client = new Vidgate({ baseUrl: proxy.url, maxRetries: 1 });
      const model = await client.models.get('veo3.1-fast');
      assert.equal(model.id, 'veo3.1-fast');
      assert.equal(proxy.seen.length, 2);
      const gap = proxy.seen[1].at - proxy.seen[0].at;
      assert.ok(gap >= 950, `waited ${gap} ms for Retry-After: 1`);
    } finally {
      await proxy.close();
    }

    const always = await startFaultProxy(gw.url, () => ({
      kind: 'status',
      status: 429,
      headers: { 'retry-after': '0' },
      body: { error: { message: 'slow down', type: 'rate_limit_exceeded', code: 'rate_limit_exceeded' } },
    }));
    try {
      const client = new Vidgate({ baseUrl: always.url, maxRetries: 2 });
      const err = await client.models.list().catch((e: unknown) => e);
      assert.ok(err instanceof VidgateError);
      assert.equal(err.status, 429);
      assert.equal(err.code, 'rate_limit_exceeded');
      assert.equal(always.seen.length, 3, 'one try and two retries');
    } finally {
      await always.close();
    }

    // A 400 is the caller's to fix: never retried.
    let bad = 0;
    const counting = await startFaultProxy(gw.url, () => {
      bad++;
      return { kind: 'forward' };
    });
    try {
      const client = new Vidgate({ baseUrl: counting.url, apiKey: gw.adminKey, maxRetries: 3 });
      await assert.rejects(client.videos.create({ ...REQUEST, duration: 7 }), (e: unknown) => e instanceof VidgateError && e.status === 400);
      assert.equal(bad, 1);
    } finally {
      await counting.close();
    }
  });

  it('timeoutMs bounds each attempt; a silent server ends in a timeout error with status 0', async () => {
    const proxy = await startFaultProxy(gw.url, () => ({ kind: 'hang' }));
    try {
      const client = new Vidgate({ baseUrl: proxy.url, timeoutMs: 300, maxRetries: 1 });
      const started = Date.now();
      const err = await client.models.list().catch((e: unknown) => e);
      assert.ok(err instanceof VidgateError);
      assert.equal(err.status, 0);
      assert.equal(err.code, 'request_timeout');
      assert.equal(proxy.seen.length, 2);
      assert.ok(Date.now() - started < 10_000);
    } finally {
      await proxy.close();
    }
    const refused = new Vidgate({ baseUrl: 'http://127.0.0.1:1', maxRetries: 0 });
    const err = await refused.models.list().catch((e: unknown) => e);
    assert.ok(err instanceof VidgateError && err.status === 0 && err.code === 'connection_error', String(err));
  });

  it("timeoutMs bounds the wait for a video, not a download read at the caller's pace; a stalled body is a timeout VidgateError", async () => {
    const task = await vg.videos.generate(REQUEST, { pollIntervalMs: 200 });
    const whole = await vg.files.download(task);
    const client = new Vidgate({ baseUrl: gw.url, apiKey: gw.adminKey, timeoutMs: 300 });
    // The caller holds the stream longer than timeoutMs before reading (a slow disk, a slow client of its own).
    const stream = await client.files.stream(task);
    await new Promise((r) => setTimeout(r, 700));
    const chunks: Uint8Array[] = [];
    for await (const chunk of stream) chunks.push(chunk as Uint8Array);
    assert.deepEqual(Buffer.concat(chunks), Buffer.from(whole));

    // A server that sends the head and some bytes, then nothing: the read ends in a timeout VidgateError.
    const stalling = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': '100000' });
      res.write(Buffer.alloc(1000));
    });
    await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = stalling.address() as AddressInfo;
      const started = Date.now();
      const err = await client.files.download({ ...task, video_url: `http://127.0.0.1:${port}/video.mp4` }).catch((e: unknown) => e);
      assert.ok(err instanceof VidgateError, String(err));
      assert.equal(err.status, 0);
      assert.equal(err.code, 'request_timeout');
      assert.ok(Date.now() - started < 5_000);
    } finally {
      stalling.closeAllConnections();
      await new Promise((r) => stalling.close(r));
    }
  });

  it("tasks.list: async-iterable cursor pages of the key's own tasks, newest first, with filters", async () => {
    const api = await startTestGateway({ VIDGATE_ROLE: 'api' }); // no engine: tasks stay pending
    try {
      const mine = new Vidgate({ baseUrl: api.url, apiKey: api.adminKey });
      const other = (await (await api.api('/v1/admin/keys', { method: 'POST', json: { name: 'other' } })).json()) as { key: string };
      const theirs = new Vidgate({ baseUrl: api.url, apiKey: other.key });
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await mine.videos.create({ ...REQUEST, prompt: `mine ${i}` })).id);
      const kling = (await mine.videos.create({ model: 'kling-v2.6-pro', prompt: 'a kling one', duration: 5 })).id;
      const foreign = (await theirs.videos.create({ ...REQUEST, prompt: 'theirs' })).id;
      await mine.tasks.cancel(ids[0]);

      const pages = [];
      for await (const page of mine.tasks.list({ limit: 2 })) pages.push(page);
      assert.deepEqual(
        pages.map((p) => p.data.length),
        [2, 2, 2],
      );
      assert.deepEqual(
        pages.map((p) => p.has_more),
        [true, true, false],
      );
      const listed = pages.flatMap((p) => p.data.map((t) => t.id));
      assert.deepEqual(listed, [kling, ...[...ids].reverse()], 'newest first, each once');
      assert.ok(!listed.includes(foreign), "never another key's task");
      assert.deepEqual(
        (await allTasks(theirs)).map((t) => t.id),
        [foreign],
      );

      const failed = await mine.tasks.list({ status: 'failed' }).first();
      assert.deepEqual(
        failed.data.map((t) => t.id),
        [ids[0]],
      );
      const byModel = await mine.tasks.list({ model: 'kling-v2.6-pro' }).first();
      assert.deepEqual(
        byModel.data.map((t) => t.id),
        [kling],
      );
      const resumed = await mine.tasks.list({ after: ids[3], limit: 10 }).first();
      assert.deepEqual(
        resumed.data.map((t) => t.id),
        [ids[2], ids[1], ids[0]],
      );
      const bad = await mine.tasks
        .list({ limit: 500 })
        .first()
        .catch((e: unknown) => e);
      assert.ok(bad instanceof VidgateError && bad.status === 400 && bad.param === 'limit');
    } finally {
      await api.close();
    }
  });

  it('wait: an event stream cut mid-task (a reset, a node killed) is resumed, not a raw TypeError', async () => {
    const proxy = new TcpProxy('127.0.0.1', Number(new URL(gw.url).port));
    const port = await proxy.start();
    try {
      const client = new Vidgate({ baseUrl: `http://127.0.0.1:${port}`, apiKey: gw.adminKey });
      const created = await client.videos.create({ ...REQUEST, prompt: 'A stream that is cut' });
      let cut: Promise<void> | undefined;
      const task = await client.tasks.wait(created.id, {
        pollIntervalMs: 200,
        onProgress: () => {
          // The first event arrived over the stream: cut every connection, then take new ones again.
          cut ??= proxy.stop().then(async () => void (await proxy.start(port)));
        },
      });
      assert.ok(cut, 'the stream delivered an event');
      assert.equal(task.status, 'completed');
    } finally {
      await proxy.stop();
    }
  });

  it('wait: an event stream that goes silent without a reset (a dropped connection) is resumed, not waited on for ever', async () => {
    const proxy = new TcpProxy('127.0.0.1', Number(new URL(gw.url).port));
    const port = await proxy.start();
    try {
      const client = new Vidgate({ baseUrl: `http://127.0.0.1:${port}`, apiKey: gw.adminKey });
      const created = await client.videos.create({ ...REQUEST, prompt: 'A stream that goes silent' });
      let silenced = false;
      const started = Date.now();
      const outcome = await client.tasks
        .wait(created.id, {
          timeoutMs: 60_000,
          onProgress: () => {
            // The first event arrived over the stream: that connection goes silent for good.
            if (!silenced) proxy.silenceOpen();
            silenced = true;
          },
        })
        .catch((e: unknown) => e);
      assert.ok(silenced, 'the stream delivered an event');
      assert.ok(!(outcome instanceof Error), `the wait did not resume: ${String(outcome)}`);
      assert.equal((outcome as Task).status, 'completed');
      assert.ok(Date.now() - started < 50_000, `resumed after ${Date.now() - started} ms`);
    } finally {
      await proxy.stop();
    }
  });

  it("wait: an error thrown by the caller's onProgress rejects the wait with that error (not swallowed as a broken stream)", async () => {
    const created = await vg.videos.create({ ...REQUEST, prompt: 'A callback that throws' });
    const mine = new Error('my progress handler failed');
    let calls = 0;
    const outcome = await vg.tasks
      .wait(created.id, {
        pollIntervalMs: 200,
        onProgress: () => {
          calls++;
          throw mine;
        },
      })
      .catch((e: unknown) => e);
    assert.equal(outcome, mine);
    assert.equal(calls, 1, 'the wait stopped at the first throw');
  });

  it('wait: timeoutMs still fires after a garbage collection (Node 20 collected an AbortSignal.timeout held only by AbortSignal.any)', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const created = await vg.videos.create({ ...REQUEST, prompt: 'a wait that must time out [sim:hang]' });
    const started = Date.now();
    const waiting = vg.tasks.wait(created.id, { timeoutMs: 1_500 }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 300));
    gc();
    const outcome = await Promise.race([waiting, new Promise((r) => setTimeout(() => r('still waiting after 10 s'), 10_000))]);
    assert.ok(outcome instanceof VidgateError, String(outcome));
    assert.equal(outcome.code, 'wait_timeout');
    assert.ok(Date.now() - started < 5_000, `timed out after ${Date.now() - started} ms`);
  });

  it('generate: an error after the task was created (a timeout, a gateway out of reach) carries taskId and the task as last seen, to resume or cancel it', async () => {
    const api = await startTestGateway({ VIDGATE_ROLE: 'api' }); // no engine: tasks stay pending
    let posts = 0;
    // Creates go through; every read of a task answers 503 (a proxy whose gateway went away).
    const proxy = await startFaultProxy(api.url, (req) => {
      if (req.method !== 'POST') return { kind: 'status', status: 503 };
      posts++;
      return { kind: 'forward' };
    });
    try {
      const client = new Vidgate({ baseUrl: api.url, apiKey: api.adminKey });
      const timedOut = await client.videos.generate(REQUEST, { timeoutMs: 700, pollIntervalMs: 100 }).catch((e: unknown) => e);
      assert.ok(timedOut instanceof VidgateError, String(timedOut));
      assert.equal(timedOut.code, 'wait_timeout');
      assert.match(timedOut.taskId ?? '', /^ldtask_[0-9a-f]{32}$/);
      assert.equal(timedOut.task?.id, timedOut.taskId);
      assert.equal(timedOut.task?.status, 'pending');
      assert.ok(timedOut.message.includes(timedOut.taskId!), timedOut.message);
      // The task it paid for is the caller's to follow or stop.
      const cancelled = await client.tasks.cancel(timedOut.taskId!);
      assert.equal(cancelled.cancelled, true);

      const behindProxy = new Vidgate({ baseUrl: proxy.url, apiKey: api.adminKey, maxRetries: 0 });
      const unreachable = await behindProxy.videos.generate(REQUEST, { reconnectMs: 300, pollIntervalMs: 100 }).catch((e: unknown) => e);
      assert.ok(unreachable instanceof VidgateError, String(unreachable));
      assert.equal(unreachable.status, 503);
      assert.equal(posts, 1);
      const mine = (await allTasks(client)).filter((t) => t.status === 'pending');
      assert.deepEqual(
        mine.map((t) => t.id),
        [unreachable.taskId],
      );
      assert.ok(unreachable.cause instanceof VidgateError, 'the original error is the cause');
    } finally {
      await proxy.close();
      await api.close();
    }
  });

  it('wait: honours timeoutMs and the caller signal', async () => {
    const api = await startTestGateway({ VIDGATE_ROLE: 'api' }); // no engine: tasks stay pending
    try {
      const client = new Vidgate({ baseUrl: api.url, apiKey: api.adminKey });
      const created = await client.videos.create(REQUEST);
      const timedOut = await client.tasks.wait(created.id, { timeoutMs: 700, pollIntervalMs: 100 }).catch((e: unknown) => e);
      assert.ok(timedOut instanceof VidgateError && timedOut.code === 'wait_timeout', String(timedOut));
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('stop waiting')), 300);
      await assert.rejects(client.tasks.wait(created.id, { signal: controller.signal, pollIntervalMs: 100 }), /stop waiting/);

      const cancelled = await client.tasks.cancel(created.id);
      assert.equal(cancelled.status, 'failed');
      assert.equal(cancelled.cancelled, true);
      const waited = await client.tasks.wait(created.id);
      assert.equal(waited.status, 'failed');
      const noVideo = await client.files.download(waited).catch((e: unknown) => e);
      assert.ok(noVideo instanceof VidgateError && noVideo.code === 'video_not_available');
    } finally {
      await api.close();
    }
  });
});
