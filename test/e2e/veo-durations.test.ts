/**
 * Veo durations end to end: the catalog (GET /v1/models, create validation), the engine, the Gemini
 * adapter and the Gemini simulator tell one truth, and a task is billed for the length it produced.
 * Veo 3.0 renders 8 s only (Google's Veo cookbook: "always 8s for Veo 3"); Veo 3.1 renders 4, 6 or
 * 8 s and takes TokenLab's 5 as 6 s, sent as 6 by the engine, reserved and billed as 6 s.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';

describe('Veo durations: what is advertised is what is accepted, rendered and billed', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(async () => gw.close());

  async function newKey(): Promise<{ id: string; key: string }> {
    const created = (await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'veo durations' } })).json()) as any;
    return { id: created.id, key: created.key };
  }
  const keyState = async (id: string) => ((await (await gw.api('/v1/admin/keys')).json()) as any).data.find((k: any) => k.id === id);
  /** The duration the task row keeps (read-only, beside the running gateway: WAL allows it). */
  const storedDuration = (id: string): number => {
    const db = new SQLite(path.join(gw.dataDir, 'vidgate.sqlite'), { readonly: true, fileMustExist: true });
    try {
      return JSON.parse((db.prepare('select request_json from tasks where id = ?').get(id) as { request_json: string }).request_json).duration;
    } finally {
      db.close();
    }
  };

  it('Veo 3.0 advertises 8 s only and refuses 4, 5 and 6 s with a 400 naming the allowed durations', async () => {
    for (const id of ['veo3', 'veo3-fast', 'veo3-pro']) {
      const model = (await (await gw.api(`/v1/models/${id}`, { key: null })).json()) as any;
      assert.deepEqual(model.tokenlab.request_format_details.durations, ['8'], `${id} advertises 8 s only`);
    }
    for (const [model, duration] of [
      ['veo3-fast', 4],
      ['veo3', 4],
      ['veo3', 6],
      ['veo3-pro', 5],
    ] as const) {
      const res = await gw.api('/v1/videos/generations', { method: 'POST', json: { model, prompt: 'x', duration } });
      const body = (await res.json()) as any;
      assert.equal(res.status, 400, `${model} ${duration} s: ${JSON.stringify(body)}`);
      assert.deepEqual(validateAgainst('ApiError', body), []);
      assert.equal(body.error.code, 'invalid_duration');
      assert.equal(body.error.param, 'duration');
      assert.deepEqual(body.error.allowed_durations, ['8']);
      assert.match(body.error.message, /Allowed durations \(seconds\): 8\./);
    }
  });

  it('Veo 3.0 at 8 s completes with an 8 s video billed as 8 s', async () => {
    const k = await newKey();
    const res = await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3-fast', prompt: 'eight seconds', duration: 8 }, key: k.key });
    assert.equal(res.status, 200, await res.clone().text());
    // veo3-fast: $0.15/s at 720p with audio.
    assert.equal((await keyState(k.id)).reserved_usd, 1.2);
    const done = await waitForTask(gw, ((await res.json()) as any).id, { key: k.key });
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.ok(Math.abs(done.video.duration - 8) < 0.2, `duration ${done.video.duration}`);
    assert.equal((await keyState(k.id)).spent_usd, 1.2);
  });

  it('Veo 3.1 renders 4 s as 4 s, and 5 s as 6 s (sent as 6 by the engine) reserved and billed as the 6 s produced', async () => {
    // veo3.1-fast: $0.10/s at 720p with audio. The simulator refuses durationSeconds 5 on Veo 3.1
    // (as Google does) and the adapter refuses to send it: a 5 s task completes only because the
    // engine sends the catalog's rendered length, 6, at submission. The task row keeps the 5 asked
    // for, so tasks stored before the engine did this are sent as 6 as well.
    for (const [duration, produced, usd] of [
      [4, 4, 0.4],
      [5, 6, 0.6],
    ] as const) {
      const k = await newKey();
      const res = await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', prompt: 'short clip', duration }, key: k.key });
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal((await keyState(k.id)).reserved_usd, usd, `${duration} s reserves ${produced} s`);
      const id = ((await res.json()) as any).id;
      const done = await waitForTask(gw, id, { key: k.key });
      assert.equal(done.status, 'completed', JSON.stringify(done));
      assert.ok(Math.abs(done.video.duration - produced) < 0.2, `${duration} s → ${done.video.duration} s`);
      assert.equal((await keyState(k.id)).spent_usd, usd, `${duration} s is billed as the ${produced} s produced`);
      assert.equal(storedDuration(id), duration, 'the task keeps the duration it was created with');
    }
    const model = (await (await gw.api('/v1/models/veo3.1-fast', { key: null })).json()) as any;
    assert.match(JSON.stringify(model.tokenlab.request_format_details), /5 is rendered as 6 seconds[^"]*billed as the 6 seconds produced/);
  });
});
