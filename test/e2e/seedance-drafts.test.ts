/**
 * Issue 13 item 5: Seedance's draft flow through the gateway. A key promotes its own completed draft
 * by its gateway id (ldtask_…), which the gateway maps to the upstream draft id when submitting.
 * Another key's draft, an upstream cgt-… id, a missing id, a task that is not a completed draft:
 * each is answered exactly like a missing one (same status, code, message), and nothing reaches the
 * upstream for it.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { defaultCatalog } from '../../src/catalog/index.js';
import { unitPrice } from '../../src/catalog/pricing.js';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';

const DRAFT = { model: 'seedance-1.5-pro', prompt: 'A lighthouse in a storm, waves crashing', duration: 4, resolution: '480p', draft: true };

describe('Seedance drafts: only the caller’s own draft, by its gateway id', () => {
  let gw: TestGateway;
  let alice: string;
  let bob: string;
  before(async () => {
    gw = await startTestGateway();
    const key = async (name: string) => ((await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name } })).json()) as { key: string }).key;
    alice = await key('alice');
    bob = await key('bob');
  });
  after(async () => gw?.close());

  const createdStats = () => (gw.sandbox!.seedance!.stats as { creates: number }).creates;
  async function create(key: string, body: Record<string, unknown>): Promise<Response> {
    return gw.api('/v1/videos/generations', { method: 'POST', json: body, key });
  }
  async function completed(key: string, body: Record<string, unknown>): Promise<Record<string, any>> {
    const res = await create(key, body);
    assert.equal(res.status, 200, await res.clone().text());
    const done = await waitForTask(gw, ((await res.json()) as { id: string }).id, { key, timeoutMs: 120_000 });
    assert.equal(done.status, 'completed', JSON.stringify(done));
    return done;
  }
  function rowOf(taskId: string): { upstream_id: string; estimated_cost_usd: number } {
    const db = new SQLite(path.join(gw.dataDir, 'vidgate.sqlite'), { readonly: true, fileMustExist: true });
    try {
      return db.prepare('select upstream_id, estimated_cost_usd from tasks where id = ?').get(taskId) as { upstream_id: string; estimated_cost_usd: number };
    } finally {
      db.close();
    }
  }
  const upstreamIdOf = (taskId: string) => rowOf(taskId).upstream_id;

  it('promotes the caller’s own draft by its gateway id; every other id gets the missing-id answer and reaches nothing upstream', async () => {
    const draft = await completed(alice, DRAFT);
    const upstreamDraft = upstreamIdOf(draft.id);
    assert.match(upstreamDraft, /^cgt-/);

    // Alice promotes her draft with the id she was given: the gateway sends the upstream id.
    const final = await completed(alice, { model: 'seedance-1.5-pro', draft_task_id: draft.id, resolution: '720p' });
    assert.equal(final.video.height, 720, 'the final video, not the 480p draft');

    const plain = await completed(alice, { ...DRAFT, draft: undefined, prompt: 'not a draft' });
    const running = await create(alice, { ...DRAFT, prompt: 'a draft still running [sim:hang]' });
    assert.equal(running.status, 200);
    const runningId = ((await running.json()) as { id: string }).id;
    // Submitted (so counting upstream creates from here on counts only the attempts below).
    const deadline = Date.now() + 30_000;
    while (((await (await gw.api(`/v1/tasks/${runningId}`, { key: alice })).json()) as { status: string }).status !== 'processing') {
      assert.ok(Date.now() < deadline, 'the running draft was submitted');
      await new Promise((r) => setTimeout(r, 50));
    }

    const missing = await create(alice, { model: 'seedance-1.5-pro', draft_task_id: 'ldtask_00000000000000000000000000000000' });
    assert.equal(missing.status, 400);
    const missingBody = await missing.json();
    assert.deepEqual(validateAgainst('ApiError', missingBody), []);
    assert.deepEqual([(missingBody as any).error.code, (missingBody as any).error.param], ['draft_task_not_found', 'draft_task_id']);

    const before = createdStats();
    const attempts: [string, string, string][] = [
      ['another key’s draft, by its gateway id', bob, draft.id],
      ['another key’s draft, by its upstream id', bob, upstreamDraft],
      ['one’s own draft, by its upstream id', alice, upstreamDraft],
      ['a completed task that is not a draft', alice, plain.id],
      ['a draft still running', alice, runningId],
      ['an id of no format at all', bob, 'whatever-123'],
    ];
    for (const [what, key, id] of attempts) {
      const res = await create(key, { model: 'seedance-1.5-pro', draft_task_id: id });
      assert.equal(res.status, 400, `${what}: ${await res.clone().text()}`);
      assert.deepEqual(await res.json(), missingBody, `${what}: answered exactly like a missing id`);
    }
    assert.equal(createdStats(), before, 'none of them reached the upstream');
  });

  it('the draft fixes what its promotion renders: a promotion setting another duration (or prompt, inputs, ratio, audio, seed, camera_fixed, operation) is a 400 naming it; repeating the draft’s values is accepted, and it renders, records and is priced as the draft', async () => {
    const draft = await completed(alice, { ...DRAFT, prompt: 'A square harbour at dawn', aspect_ratio: '1:1', output_audio: false, seed: 11 });
    const before = createdStats();
    const fixed: [string, Record<string, unknown>][] = [
      ['duration', { duration: 8 }],
      ['prompt', { prompt: 'the final cut' }],
      ['aspect_ratio', { aspect_ratio: '16:9' }],
      ['output_audio', { generate_audio: true }],
      ['seed', { seed: 3 }],
      ['camera_fixed', { camera_fixed: true }],
      ['image_url', { image_url: 'https://example.com/frame.png' }],
      ['operation', { operation: 'image-to-video' }],
    ];
    for (const [param, extra] of fixed) {
      const res = await create(alice, { model: 'seedance-1.5-pro', draft_task_id: draft.id, resolution: '720p', ...extra });
      const body = (await res.json()) as { error: { code: string; param: string; message: string } };
      assert.equal(res.status, 400, `${param}: ${JSON.stringify(body)}`);
      assert.deepEqual(validateAgainst('ApiError', body), []);
      assert.deepEqual([body.error.code, body.error.param], ['fixed_by_draft', param], body.error.message);
      assert.match(body.error.message, new RegExp(`The draft fixes ${param}`));
      if (param === 'duration') assert.match(body.error.message, /the draft has 4\b/);
    }
    assert.equal(createdStats(), before, 'none of them reached the upstream');

    // TokenLab clients re-send the draft's own prompt (and duration, ratio, audio, seed): the same values change nothing.
    const same = { prompt: 'A square harbour at dawn', duration: 4, aspect_ratio: '1:1', generate_audio: false, seed: 11, operation: 'text-to-video' };
    const res = await create(alice, { model: 'seedance-1.5-pro', draft_task_id: draft.id, resolution: '720p', ...same });
    assert.equal(res.status, 200, await res.clone().text());
    const id = ((await res.json()) as { id: string }).id;
    const spec = defaultCatalog().get('seedance-1.5-pro')!;
    assert.equal(rowOf(id).estimated_cost_usd, Math.round(unitPrice(spec.pricing, '720p', false) * 4 * 1e6) / 1e6, "reserved for the draft's 4 s silent, not the default 5 s with audio");
    const final = await waitForTask(gw, id, { key: alice, timeoutMs: 120_000 });
    assert.equal(final.status, 'completed', JSON.stringify(final));
    assert.equal(final.video.width, final.video.height, "the draft's 1:1");
    assert.equal(final.video.height > 480, true, 'at the promotion’s resolution');
    assert.ok(Math.abs(final.video.duration - 4) < 0.3, `the draft's 4 s (got ${final.video.duration})`);
    assert.equal(final.has_audio, false, "the draft's silence");
  });
});
