import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, waitForStatus, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';

describe('DELETE /v1/tasks/{id}', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(async () => gw.close());

  async function create(prompt: string): Promise<string> {
    const res = await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', prompt, duration: 4 } });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { id: string }).id;
  }

  it('cancels a task the upstream has not accepted yet', async () => {
    // The simulator answers 429 to this prompt, so the task stays pending (retrying) upstream-less.
    const id = await create('stays queued [sim:429]');
    const res = await gw.api(`/v1/tasks/${id}`, { method: 'DELETE' });
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, any>;
    assert.deepEqual(validateAgainst('VideoTaskResponse', body), []);
    assert.equal(body.status, 'failed');
    assert.equal(body.cancelled, true);
    assert.equal(body.cancellation_status, 'cancelled');
    assert.equal(body.error.code, 'task_cancelled');
    // It stays cancelled and queryable.
    await new Promise((r) => setTimeout(r, 500));
    const again = (await (await gw.api(`/v1/tasks/${id}`)).json()) as Record<string, any>;
    assert.equal(again.status, 'failed');
    assert.equal(again.cancelled, true);
    // Cancelling a terminal task is a conflict.
    const twice = await gw.api(`/v1/tasks/${id}`, { method: 'DELETE' });
    assert.equal(twice.status, 409);
    assert.equal(((await twice.json()) as any).error.code, 'task_not_cancellable');
  });

  it('refuses with 409 once a Veo job is running upstream (the Gemini API cannot cancel)', async () => {
    const id = await create('runs for a while [sim:hang]');
    await waitForStatus(gw, id, ['processing']);
    const res = await gw.api(`/v1/tasks/${id}`, { method: 'DELETE' });
    assert.equal(res.status, 409);
    const err = ((await res.json()) as any).error;
    assert.equal(err.code, 'task_not_cancellable');
    assert.match(err.message, /cannot be cancelled/);
  });

  it('refuses with 409 for a completed task', async () => {
    const id = await create('quick');
    const done = await waitForTask(gw, id);
    assert.equal(done.status, 'completed');
    assert.equal((await gw.api(`/v1/tasks/${id}`, { method: 'DELETE' })).status, 409);
  });
});
