import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';

describe('upstream refusals become failed tasks with a clear error', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(async () => gw.close());

  async function run(prompt: string): Promise<Record<string, any>> {
    const res = await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', prompt, duration: 4 } });
    assert.equal(res.status, 200);
    const done = await waitForTask(gw, ((await res.json()) as { id: string }).id);
    assert.deepEqual(validateAgainst('VideoTaskResponse', done), []);
    return done;
  }

  it('a failed upstream job', async () => {
    const done = await run('this one fails [sim:fail]');
    assert.equal(done.status, 'failed');
    assert.equal(typeof done.error.code, 'string');
    assert.ok(done.error.message.length > 0);
    assert.equal(done.video_url, undefined);
  });

  it('a job filtered by the upstream safety system', async () => {
    const done = await run('filtered [sim:rai]');
    assert.equal(done.status, 'failed');
    assert.equal(done.error.code, 'content_policy_violation');
  });

  it('no provider secret appears in task errors or logs', async () => {
    const done = await run('fails again [sim:fail]');
    const providerKey = gw.sandbox?.google?.credentials.GEMINI_API_KEY ?? '';
    assert.ok(providerKey.length > 8);
    assert.ok(!JSON.stringify(done).includes(providerKey), 'provider key in task body');
    assert.ok(!/key=|x-goog-api-key/i.test(JSON.stringify(done)));
    const logs = gw.logs.join('\n');
    assert.ok(!logs.includes(providerKey), 'provider key in logs');
    assert.ok(!logs.includes(gw.adminKey), 'admin key in logs');
  });
});
