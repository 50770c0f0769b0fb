/**
 * The engine in its own worker thread (VIDGATE_ENGINE_THREAD, the default outside in-process
 * tests): tasks complete through it; a long poll is woken by the thread's change (the fallback
 * re-check is set to ten minutes, so only the change notice can wake it); /metrics and the admin
 * channel report include what the thread counted; its log lines reach the gateway's logger; a
 * cancel from the HTTP thread holds against the engine.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, waitForStatus, type TestGateway } from '../helpers/gateway.js';

const CLIPS = [
  { model: 'veo3.1-fast', prompt: 'a lighthouse at dusk', duration: 4 },
  { model: 'kling-v2.6-std', prompt: 'a paper boat on a stream', duration: 5 },
  { model: 'sora-2', prompt: 'a fox in the snow', duration: 4 },
];

describe('the engine in a worker thread', { timeout: 180_000 }, () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ VIDGATE_ENGINE_THREAD: '1', VIDGATE_WAIT_RECHECK_MS: '600000' });
  });
  after(async () => gw?.close());

  async function create(body: Record<string, unknown>): Promise<string> {
    const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { id: string }).id;
  }

  it('says so at start', () => {
    const started = gw.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'engine started');
    assert.equal(started?.thread, true, JSON.stringify(started));
  });

  it('runs at a lower priority than the HTTP thread (VIDGATE_ENGINE_NICE, 10 by default)', () => {
    // Linux keeps a nice value per thread: /proc/self/task/<tid>/stat, field 19.
    const nice = (tid: string) => {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    };
    const threads = fs.readdirSync('/proc/self/task');
    assert.equal(nice(String(process.pid)), 0, 'the HTTP thread');
    assert.deepEqual(
      threads.map(nice).filter((n) => n !== 0),
      [10],
      'one thread, the engine, at nice 10',
    );
  });

  it('tasks of three providers complete, and each long poll is woken by the change the thread made', async () => {
    const ids = await Promise.all(CLIPS.map(create));
    await Promise.all(
      ids.map(async (id) => {
        let status = 'pending';
        const seen: string[] = [];
        while (status !== 'completed' && status !== 'failed') {
          const started = performance.now();
          const res = await gw.api(`/v1/tasks/${id}?wait=60`);
          const body = (await res.json()) as { status: string };
          const ms = performance.now() - started;
          // Without the thread's notice this would take the 60 s wait (the re-check is 10 minutes).
          assert.ok(ms < 30_000, `${id}: a wait took ${ms.toFixed(0)} ms (from ${status} to ${body.status})`);
          status = body.status;
          seen.push(status);
        }
        assert.equal(status, 'completed', `${id}: ${seen.join(' → ')}`);
      }),
    );
  });

  it("/metrics adds the thread's figures to the HTTP thread's, each family once", async () => {
    const text = await (await gw.api('/metrics')).text();
    const value = (series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    for (const provider of ['google', 'kling', 'openai']) {
      assert.ok((value(`vidgate_upstream_requests_total{provider="${provider}",call="submit",outcome="ok"}`) ?? 0) >= 1, `${provider} submits counted`);
    }
    assert.ok((value('vidgate_tasks_finished_total{model="veo3.1-fast",provider="google",status="completed"}') ?? 0) >= 1);
    assert.equal(value('vidgate_circuit_breaker_state{provider="google",channel="gemini-api",state="closed"}'), 1);
    // Counted on the HTTP thread, and there only.
    assert.ok((value('vidgate_tasks_created_total{model="veo3.1-fast",provider="google"}') ?? 0) >= 1);
    for (const family of ['vidgate_process_cpu_user_seconds_total', 'vidgate_upstream_requests_total', 'vidgate_http_request_duration_seconds']) {
      assert.equal(text.split('\n').filter((l) => l.startsWith(`# HELP ${family} `)).length, 1, `${family} once`);
    }
  });

  it('the admin channel report shows what the thread sent and its breakers', async () => {
    const { data } = (await (await gw.api('/v1/admin/channels')).json()) as { data: { id: string; submissions: number; state: string }[] };
    const gemini = data.find((c) => c.id === 'gemini-api');
    assert.ok(gemini && gemini.submissions >= 1 && gemini.state === 'closed', JSON.stringify(gemini));
  });

  it("the thread's log lines reach the gateway's logger", async () => {
    (gw.sandbox!.google!.faults as { serverErrorNext(n: number, o: { only: string }): void }).serverErrorNext(1, { only: 'create' });
    const id = await create(CLIPS[0]);
    await waitForStatus(gw, id, ['processing', 'completed']);
    const line = gw.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'create refused by a channel; trying the next one' && l.task === id);
    assert.ok(line, `the failed attempt was logged: ${gw.logs.filter((l) => l.includes(id)).join('')}`);
    // With the gateway logger's own fields (a test logger: pid and hostname).
    assert.deepEqual([line.room, line.kind, line.level, line.pid], ['engine', 'unavailable', 40, process.pid]);
  });

  it('a cancel from the HTTP thread holds: the engine neither completes nor resubmits the task', async () => {
    // Topaz cancels a running request upstream (DELETE); this one would run for ever.
    (gw.sandbox!.topaz!.faults as { hangNextJob(): void }).hangNextJob();
    const id = await create({ model: 'topaz-video-upscale', operation: 'video-to-video', video_url: 'https://example.com/source.mp4' });
    await waitForStatus(gw, id, ['processing']);
    const res = await gw.api(`/v1/tasks/${id}`, { method: 'DELETE' });
    assert.equal(res.status, 200, await res.clone().text());
    await new Promise((r) => setTimeout(r, 1_500));
    const body = (await (await gw.api(`/v1/tasks/${id}`)).json()) as { status: string; cancelled?: boolean };
    assert.deepEqual([body.status, body.cancelled], ['failed', true]);
  });
});
