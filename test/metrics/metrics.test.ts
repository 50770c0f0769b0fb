import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';

type Sample = { name: string; labels: Record<string, string>; value: number };

/** Parses the Prometheus text format's samples (comments skipped). */
function parse(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

/** The value of the one sample matching name and labels (0 when absent). */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const hits = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return hits.reduce((sum, s) => sum + s.value, 0);
}

async function scrape(gw: TestGateway): Promise<Sample[]> {
  const res = await gw.api('/metrics');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parse(await res.text());
}

describe('GET /metrics', { timeout: 180_000 }, () => {
  let gw: TestGateway;
  let receiver: http.Server;
  let receiverUrl = '';
  const received: string[] = [];

  before(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    gw = await startTestGateway({ VIDGATE_ALLOW_PRIVATE_NETWORK: '1', VIDGATE_WEBHOOK_TICK_MS: '50' });
  });
  after(async () => {
    await gw.close();
    receiver.close();
  });

  it('needs an admin key', async () => {
    assert.equal((await gw.api('/metrics', { key: null })).status, 401);
    const created = (await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'user' } })).json()) as { key: string };
    const res = await gw.api('/metrics', { key: created.key });
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'admin_required');
  });

  it('counts tasks, upstream calls, HTTP requests, webhook deliveries; states and breakers at scrape time', async () => {
    const before = await scrape(gw);
    const create = await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', prompt: 'A lighthouse at dusk', duration: 4, callback_url: receiverUrl } });
    assert.equal(create.status, 200);
    const { id } = (await create.json()) as { id: string };
    assert.equal((await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', prompt: 'x', duration: 7 } })).status, 400);
    assert.equal((await waitForTask(gw, id)).status, 'completed');
    const deadline = Date.now() + 30_000;
    while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(received.length, 1, 'the webhook arrived');
    let after = await scrape(gw);
    // The delivery is counted once the attempt is recorded, just after the receiver answered.
    while (value(after, 'vidgate_webhook_deliveries_total', { outcome: 'delivered' }) === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      after = await scrape(gw);
    }
    const delta = (name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels);

    assert.equal(delta('vidgate_tasks_created_total', { model: 'veo3.1-fast', provider: 'google' }), 1, 'the refused create is not a task');
    assert.equal(delta('vidgate_tasks_finished_total', { model: 'veo3.1-fast', provider: 'google', status: 'completed' }), 1);
    assert.equal(delta('vidgate_task_duration_seconds_count', { provider: 'google', status: 'completed' }), 1);
    assert.ok(delta('vidgate_task_duration_seconds_sum', { provider: 'google', status: 'completed' }) > 0);
    // Unfinished tasks by state: every state is reported, and nothing is left in flight.
    for (const state of ['pending', 'submitting', 'processing', 'finishing']) {
      assert.ok(
        after.some((s) => s.name === 'vidgate_tasks_in_state' && s.labels.state === state),
        state,
      );
      assert.equal(value(after, 'vidgate_tasks_in_state', { state }), 0, state);
    }

    assert.equal(delta('vidgate_upstream_requests_total', { provider: 'google', call: 'submit', outcome: 'ok' }), 1);
    assert.ok(delta('vidgate_upstream_requests_total', { provider: 'google', call: 'poll', outcome: 'ok' }) >= 1);
    assert.equal(delta('vidgate_upstream_requests_total', { provider: 'google', call: 'download', outcome: 'ok' }), 1);
    assert.equal(delta('vidgate_upstream_request_duration_seconds_count', { provider: 'google', call: 'submit' }), 1);

    assert.equal(delta('vidgate_http_request_duration_seconds_count', { method: 'POST', route: '/v1/videos/generations', status: '200' }), 1);
    assert.equal(delta('vidgate_http_request_duration_seconds_count', { method: 'POST', route: '/v1/videos/generations', status: '400' }), 1);
    // Route patterns, never raw ids.
    assert.ok(delta('vidgate_http_request_duration_seconds_count', { method: 'GET', route: '/v1/tasks/:id', status: '200' }) >= 1);
    assert.ok(!after.some((s) => s.labels.route?.includes('ldtask_')));

    assert.equal(delta('vidgate_webhook_deliveries_total', { outcome: 'delivered' }), 1);
    assert.equal(value(after, 'vidgate_circuit_breaker_state', { provider: 'google', channel: 'gemini-api', state: 'closed' }), 1);
    assert.equal(value(after, 'vidgate_circuit_breaker_state', { provider: 'google', channel: 'gemini-api', state: 'open' }), 0);
    assert.ok(value(after, 'vidgate_process_resident_memory_bytes') > 0, 'process metrics too');
  });

  it('an upstream outage shows as error outcomes and an open breaker', async () => {
    const down = await startTestGateway({ VIDGATE_BREAKER_THRESHOLD: '1', VIDGATE_BREAKER_COOLDOWN_MS: '600000' });
    try {
      // The Veo simulator answers 503 to the first create with this prompt (src/sandbox/README.md).
      const res = await down.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', prompt: 'outage [sim:503-once]', duration: 4 } });
      assert.equal(res.status, 200);
      const deadline = Date.now() + 30_000;
      let samples = await scrape(down);
      // Both Veo channels answer 503 once (the Vertex AI simulator honours the marker too): the create fails over, then both breakers open.
      const open = (channel: string) => value(samples, 'vidgate_circuit_breaker_state', { provider: 'google', channel, state: 'open' }) === 1;
      while (!(open('gemini-api') && open('vertex-ai')) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        samples = await scrape(down);
      }
      assert.ok(open('gemini-api') && open('vertex-ai'), 'both Veo channels opened their breakers');
      assert.equal(value(samples, 'vidgate_circuit_breaker_state', { provider: 'kling', channel: 'kling-api-key', state: 'closed' }), 1);
      assert.equal(value(samples, 'vidgate_upstream_requests_total', { provider: 'google', call: 'submit', outcome: 'unavailable' }), 2, 'one refused create per channel');
      assert.equal(value(samples, 'vidgate_tasks_in_state', { state: 'pending' }), 1, 'the task waits while the breaker is open');

      // A cancel finishes the task too.
      const { id } = (await res.json()) as { id: string };
      assert.equal((await down.api(`/v1/tasks/${id}`, { method: 'DELETE' })).status, 200);
      samples = await scrape(down);
      assert.equal(value(samples, 'vidgate_tasks_finished_total', { model: 'veo3.1-fast', provider: 'google', status: 'failed' }), 1);
      assert.equal(value(samples, 'vidgate_task_duration_seconds_count', { provider: 'google', status: 'failed' }), 1);
      assert.equal(value(samples, 'vidgate_tasks_in_state', { state: 'pending' }), 0);
    } finally {
      await down.close();
    }
  });
});
