import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';

describe('output retention', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ VIDGATE_RETENTION_SECONDS: '3', VIDGATE_RETENTION_SWEEP_MS: '200' });
  });
  after(async () => gw.close());

  it('deletes stored outputs after the retention period; the task row stays and says so', async () => {
    const id = ((await (await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', prompt: 'short-lived', duration: 4 } })).json()) as any).id;
    const done = await waitForTask(gw, id);
    assert.equal(done.status, 'completed');
    assert.ok(done.video_expires_at > done.created, 'the task tells when its video goes');
    const blob = path.join(gw.dataDir, 'blobs', 'videos', `${id}.mp4`);
    assert.ok(fs.existsSync(blob));
    assert.equal((await fetch(done.video_url)).status, 200);

    let later: any = done;
    for (let i = 0; i < 100 && !later.video_expired; i++) {
      await new Promise((r) => setTimeout(r, 100));
      later = await (await gw.api(`/v1/tasks/${id}`)).json();
    }
    assert.equal(later.status, 'completed');
    assert.equal(later.video_expired, true);
    assert.equal(later.video_url, undefined);
    assert.deepEqual(validateAgainst('VideoTaskResponse', later), []);
    assert.ok(!fs.existsSync(blob), 'the file is deleted from blob storage');
    const gone = await fetch(done.video_url);
    assert.equal(gone.status, 410);
    assert.equal(((await gone.json()) as any).error.code, 'file_expired');
  });
});
