/**
 * Output retention over the real gateway, on SQLite and on PostgreSQL: a stored video is deleted
 * VIDGATE_RETENTION_SECONDS after completion, the task row stays and says so, and both views keep
 * telling when the file went (TokenLab's `video_expires_at`, the OpenAI Video's `expires_at`), also
 * for a video its owner deleted.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';
import { createPgDatabase, DIALECTS } from '../helpers/stores.js';

const RETENTION_SECONDS = 3;

for (const dialect of DIALECTS) {
  describe(`output retention (${dialect})`, () => {
    let gw: TestGateway;
    let database: Awaited<ReturnType<typeof createPgDatabase>> | undefined;
    before(async () => {
      if (dialect === 'postgres') database = await createPgDatabase();
      gw = await startTestGateway({
        VIDGATE_RETENTION_SECONDS: String(RETENTION_SECONDS),
        VIDGATE_RETENTION_SWEEP_MS: '200',
        ...(database ? { VIDGATE_DATABASE_URL: database.url } : {}),
      });
    });
    after(async () => {
      await gw?.close();
      await database?.drop();
    });

    async function completed(prompt: string): Promise<Record<string, any>> {
      const id = ((await (await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', prompt, duration: 4 } })).json()) as any).id;
      const done = await waitForTask(gw, id);
      assert.equal(done.status, 'completed', JSON.stringify(done.error));
      return done;
    }

    const openAIVideo = async (id: string) => (await (await gw.api(`/v1/videos/${id}`)).json()) as any;

    it('deletes stored outputs after the retention period; the task row stays and says when the file went', async () => {
      const done = await completed('short-lived');
      const id = done.id;
      assert.ok(done.video_expires_at > done.created, 'the task tells when its video goes');
      const before = await openAIVideo(id);
      assert.equal(before.expires_at, done.video_expires_at, 'both views name one time');
      assert.equal(before.expires_at, before.completed_at + RETENTION_SECONDS);
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

      // Once gone, the expiry is the time it went: a past time, never null.
      const now = Math.floor(Date.now() / 1000);
      assert.equal(typeof later.video_expired_at, 'number');
      assert.ok(later.video_expired_at >= done.video_expires_at - 1 && later.video_expired_at <= now, `${later.video_expired_at} within [${done.video_expires_at}, ${now}]`);
      const after = await openAIVideo(id);
      assert.equal(after.status, 'completed');
      assert.equal(after.completed_at, before.completed_at);
      assert.equal(after.expires_at, later.video_expired_at, 'the OpenAI Video keeps expires_at, in the past');
      assert.equal(later.video_expires_at, later.video_expired_at, 'video_expires_at stays, as the time the file went');
    });

    it('a video its owner deleted expired when it was deleted', async () => {
      const done = await completed('deleted by its owner');
      const deletedAt = Math.floor(Date.now() / 1000);
      const res = await gw.api(`/v1/videos/${done.id}`, { method: 'DELETE' });
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal((await gw.api(`/v1/videos/${done.id}`)).status, 404, 'the OpenAI routes no longer show it');
      const task = (await (await gw.api(`/v1/tasks/${done.id}`)).json()) as any;
      assert.equal(task.video_expired, true);
      assert.ok(task.video_expires_at < done.video_expires_at, 'not the retention time it never reached');
      assert.ok(Math.abs(task.video_expires_at - deletedAt) <= 1, `${task.video_expires_at} ≈ ${deletedAt}`);
      assert.equal(task.video_expires_at, task.video_expired_at);
      assert.deepEqual(validateAgainst('VideoTaskResponse', task), []);
    });
  });
}
