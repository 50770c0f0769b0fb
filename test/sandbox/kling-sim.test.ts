/**
 * Fidelity of the Kling simulator: there is no trustworthy npm client for Kling video, so the
 * documented examples of spec providers-2 §1 (request bodies, envelopes, error table, fidelity
 * checklist §6) are sent over raw HTTP and the answers asserted against the documented shapes.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { signKlingToken } from '../../src/providers/kling/auth.js';
import { startKlingSimulator, type KlingSimulator } from '../../src/sandbox/kling/index.js';
import { ffprobeFile } from '../helpers/ffprobe.js';

const AK = 'AKsimtest0123456789abcdef';
const SK = 'SKsimtest0123456789abcdef';

let sim: KlingSimulator;
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kling-sim-'));
  sim = await startKlingSimulator({ accessKey: AK, secretKey: SK, workDir: dir, speed: 200, maxConcurrentTasks: 8 });
});
after(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown, token: string | null = signKlingToken(AK, SK)) {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${sim.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, any> };
}

async function until(kind: string, id: string, status: string[], timeoutMs = 20_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  const seen: string[] = [];
  for (;;) {
    const r = await call('GET', `/v1/videos/${kind}/${id}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.code, 0);
    if (seen.at(-1) !== r.json.data.task_status) seen.push(r.json.data.task_status);
    if (status.includes(r.json.data.task_status)) return { ...r.json, seen };
    if (Date.now() > deadline) throw new Error(`task stuck at ${r.json.data.task_status}`);
    await new Promise((res) => setTimeout(res, 25));
  }
}

/** §1.2 / §6: a bad token answers 401 with Kling's codes. */
describe('auth', () => {
  it('missing, tampered, foreign-key and expired tokens get 401 with 1001 / 1002 / 1004', async () => {
    const body = { model_name: 'kling-v2-6', prompt: 'x', duration: '5' };
    const none = await call('POST', '/v1/videos/text2video', body, null);
    assert.equal(none.status, 401);
    assert.equal(none.json.code, 1001);
    assert.equal(typeof none.json.message, 'string');
    assert.equal(typeof none.json.request_id, 'string');
    const wrongSig = await call('POST', '/v1/videos/text2video', body, signKlingToken(AK, 'not-the-secret'));
    assert.deepEqual([wrongSig.status, wrongSig.json.code], [401, 1002]);
    const expired = await call('POST', '/v1/videos/text2video', body, signKlingToken(AK, SK, Math.floor(Date.now() / 1000) - 3600));
    assert.deepEqual([expired.status, expired.json.code], [401, 1004]);
    const future = await call('GET', '/v1/videos/text2video/1', undefined, signKlingToken(AK, SK, Math.floor(Date.now() / 1000) + 600));
    assert.deepEqual([future.status, future.json.code], [401, 1003]);
    assert.equal(sim.stats.creates, 0);
  });
});

describe('create → query → download, with the documented envelopes', () => {
  it('§1.5 example (2.6 pro with sound): submitted → processing → succeed, a 1080p 5 s MP4 with audio', async () => {
    const body = {
      model_name: 'kling-v2-6',
      prompt: 'A red fox trots through fresh snow at dawn, steam rising from its breath',
      negative_prompt: 'blurry, text, watermark',
      mode: 'pro',
      sound: 'on',
      aspect_ratio: '16:9',
      duration: '5',
      external_task_id: 'gw-7f3a1c',
    };
    const created = await call('POST', '/v1/videos/text2video', body);
    assert.equal(created.status, 200);
    // §1.8 create reply
    assert.equal(created.json.code, 0);
    assert.equal(created.json.message, 'SUCCEED');
    assert.match(created.json.request_id, /^[0-9a-f-]{36}$/);
    const d = created.json.data;
    assert.match(d.task_id, /^\d{18}$/);
    assert.equal(d.task_status, 'submitted');
    assert.deepEqual(d.task_info, { external_task_id: 'gw-7f3a1c' });
    assert.ok(d.created_at > 1e12 && d.updated_at >= d.created_at, 'timestamps are milliseconds');

    const done = await until('text2video', d.task_id, ['succeed', 'failed']);
    assert.deepEqual(done.seen, ['submitted', 'processing', 'succeed'].slice(done.seen[0] === 'submitted' ? 0 : 1));
    const data = done.data;
    assert.equal(data.task_status, 'succeed');
    assert.equal(data.task_status_msg, '');
    assert.deepEqual(data.task_info, { external_task_id: 'gw-7f3a1c' });
    assert.deepEqual(data.watermark_info, { enabled: false });
    assert.equal(typeof data.final_unit_deduction, 'string');
    const video = data.task_result.videos[0];
    assert.equal(typeof video.id, 'string');
    assert.equal(typeof video.duration, 'string');
    const res = await fetch(video.url); // a public CDN-style link: no token
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'video/mp4');
    const file = join(dir, 'fox.mp4');
    await writeFile(file, Buffer.from(await res.arrayBuffer()));
    const probe = await ffprobeFile(file);
    assert.deepEqual([probe.width, probe.height, probe.hasAudio], [1920, 1080, true]);
    assert.ok(Math.abs(probe.duration - 5) < 0.2);
    assert.ok(sim.stats.downloads >= 1);
  });

  it('the task is only found under the family that created it; the list query pages', async () => {
    const created = await call('POST', '/v1/videos/text2video', { model_name: 'kling-v2-5-turbo', prompt: 'kinds', mode: 'std', duration: '5' });
    const id = created.json.data.task_id;
    const wrong = await call('GET', `/v1/videos/image2video/${id}`);
    assert.equal(wrong.status, 404);
    assert.equal(wrong.json.code, 1203);
    const list = await call('GET', '/v1/videos/text2video?pageNum=1&pageSize=500');
    assert.equal(list.json.code, 0);
    assert.ok(list.json.data.some((t: { task_id: string }) => t.task_id === id));
    assert.equal((await call('GET', '/v1/videos/text2video?pageSize=501')).json.code, 1201);
  });

  it('a failed job: task_status failed + task_status_msg, still HTTP 200 / code 0', async () => {
    const created = await call('POST', '/v1/videos/text2video', { model_name: 'kling-v2-6', prompt: 'boom [sim:fail]', mode: 'std', duration: '5' });
    const done = await until('text2video', created.json.data.task_id, ['succeed', 'failed']);
    assert.equal(done.code, 0);
    assert.equal(done.data.task_status, 'failed');
    assert.ok(done.data.task_status_msg.length > 0);
    assert.equal(done.data.task_result, undefined);
  });

  it('a risk-control refusal of the output', async () => {
    const created = await call('POST', '/v1/videos/text2video', { model_name: 'kling-v2-6', prompt: 'x [sim:policy-output]', duration: '5' });
    const done = await until('text2video', created.json.data.task_id, ['succeed', 'failed']);
    assert.match(done.data.task_status_msg, /risk control/);
  });
});

describe('validation (§6 fidelity checklist)', () => {
  const refused = async (kind: string, body: unknown, code: number, status = 400, pattern?: RegExp) => {
    const before = sim.stats.creates;
    const r = await call('POST', `/v1/videos/${kind}`, body);
    assert.deepEqual([r.status, r.json.code], [status, code], JSON.stringify(r.json));
    if (pattern) assert.match(r.json.message, pattern);
    assert.equal(sim.stats.creates, before);
  };

  it('duration sent as a number → 400 1201', () => refused('text2video', { model_name: 'kling-v2-6', prompt: 'x', duration: 5 }, 1201, 400, /duration/));
  it('unknown model → 400 1201', () => refused('text2video', { model_name: 'kling-v9', prompt: 'x' }, 1201, 400, /model_name/));
  it('kling-v2-1 has no text2video', () => refused('text2video', { model_name: 'kling-v2-1', prompt: 'x' }, 1201));
  it('body that is not JSON → 400 1200', () => refused('text2video', '{not json', 1200));
  it('a data: prefix on a base64 image → 400 1201', () => refused('image2video', { model_name: 'kling-v2-6', image: 'data:image/png;base64,iVBORw0KGgo=', duration: '5' }, 1201, 400, /data: prefix/));
  it('aspect_ratio on image2video → 400 1201', () => refused('image2video', { model_name: 'kling-v2-6', image: 'https://example.com/a.png', aspect_ratio: '16:9' }, 1201));
  it('image_tail in std mode on 2.x → 400 1201', () =>
    refused('image2video', { model_name: 'kling-v2-5-turbo', mode: 'std', image: 'https://example.com/a.png', image_tail: 'https://example.com/b.png' }, 1201, 400, /image_tail/));
  it('sound on with 2.6 std → 400 1201', () => refused('text2video', { model_name: 'kling-v2-6', mode: 'std', sound: 'on', prompt: 'x' }, 1201, 400, /sound/));
  it('cfg_scale on 2.x → 400 1201', () => refused('text2video', { model_name: 'kling-v2-6', prompt: 'x', cfg_scale: 0.5 }, 1201, 400, /cfg_scale/));
  it('unknown element id → 400 1201', () => refused('image2video', { model_name: 'kling-v3', prompt: 'x', image: 'https://example.com/a.png', element_list: [{ element_id: 123 }] }, 1201, 400, /element/));
  it('motion control without character_orientation → 400 1201', () =>
    refused('motion-control', { model_name: 'kling-v3', image_url: 'https://example.com/a.png', video_url: 'https://example.com/m.mp4', mode: 'std' }, 1201, 400, /character_orientation/));
  it('omni without aspect_ratio in text mode → 400 1201', () => refused('omni-video', { model_name: 'kling-video-o1', prompt: 'x', duration: '5' }, 1201, 400, /aspect_ratio/));
  it('omni referring to a video that was not sent → 400 1201', () => refused('omni-video', { model_name: 'kling-video-o1', prompt: 'edit <<<video_1>>>', aspect_ratio: '16:9' }, 1201, 400, /video_1/));
  it('a reused external_task_id → 400 1201', async () => {
    const body = { model_name: 'kling-v2-6', prompt: 'dup', duration: '5', external_task_id: 'dup-1' };
    assert.equal((await call('POST', '/v1/videos/text2video', body)).json.code, 0);
    await refused('text2video', body, 1201, 400, /external_task_id/);
  });
  it('content policy marker → 400 1301', () => refused('text2video', { model_name: 'kling-v2-6', prompt: 'x [sim:policy]' }, 1301));
});

describe('elements and the omni / motion examples', () => {
  it('custom-elements answers a bare integer element_id that image2video then accepts', async () => {
    const res = await fetch(`${sim.baseUrl}/v1/general/custom-elements`, {
      method: 'POST',
      headers: { authorization: `Bearer ${signKlingToken(AK, SK)}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        element_name: 'hero_bag',
        element_description: 'black leather handbag',
        element_frontal_image: 'https://example.com/bag-front.png',
        element_refer_list: [{ image_url: 'https://example.com/bag-side.png' }],
      }),
    });
    const text = await res.text();
    assert.equal(res.status, 200);
    const id = /"element_id":(\d+)[,}]/.exec(text)?.[1];
    assert.ok(id && id.length >= 16, text);
    const created = await call(
      'POST',
      '/v1/videos/image2video',
      `{"model_name":"kling-v3","mode":"std","prompt":"Place <<<element_1>>> on a turntable","image":"https://example.com/s.png","duration":"3","element_list":[{"element_id":${id}}]}`,
    );
    assert.equal(created.json.code, 0, JSON.stringify(created.json));
    assert.equal(sim.stats.elements, 1);
  });

  it('§1.7 video-to-video edit example is accepted', async () => {
    const r = await call('POST', '/v1/videos/omni-video', {
      model_name: 'kling-video-o1',
      prompt: 'Replace the sky in <<<video_1>>> with a violet aurora',
      video_list: [{ video_url: 'https://example.com/clip.mp4', refer_type: 'base', keep_original_sound: 'yes' }],
      mode: 'pro',
    });
    assert.equal(r.json.code, 0, JSON.stringify(r.json));
  });
});

describe('faults', () => {
  it('429 1303 with Retry-After, then normal again', async () => {
    sim.faults.rateLimitNext(1, { retryAfterSeconds: 3 });
    const r = await call('POST', '/v1/videos/text2video', { model_name: 'kling-v2-6', prompt: 'rl', duration: '5' });
    assert.deepEqual([r.status, r.json.code, r.json.message], [429, 1303, 'parallel task over resource pack limit']);
    assert.equal(r.headers.get('retry-after'), '3');
    assert.equal((await call('POST', '/v1/videos/text2video', { model_name: 'kling-v2-6', prompt: 'rl', duration: '5' })).json.code, 0);
  });

  it('HTTP 200 with a non-zero code (Kling does this for some errors)', async () => {
    sim.faults.errorNext(1, { httpStatus: 200, code: 1102, message: 'resource pack exhausted', only: 'create' });
    const r = await call('POST', '/v1/videos/text2video', { model_name: 'kling-v2-6', prompt: 'x', duration: '5' });
    assert.deepEqual([r.status, r.json.code], [200, 1102]);
    assert.equal(r.json.data, undefined);
  });

  it('5xx with Kling codes', async () => {
    sim.faults.serverErrorNext(1, { status: 504 });
    const r = await call('GET', '/v1/videos/text2video/1');
    assert.deepEqual([r.status, r.json.code], [504, 5002]);
  });

  it('the concurrency limit answers 1303 while tasks run', async () => {
    sim.faults.reset();
    const ids: string[] = [];
    let limited: Record<string, any> | undefined;
    for (let i = 0; i < 12 && !limited; i++) {
      const r = await call('POST', '/v1/videos/text2video', { model_name: 'kling-v2-6', prompt: `hang ${i} [sim:hang]`, duration: '5' });
      if (r.status === 429) limited = r.json;
      else ids.push(r.json.data.task_id);
    }
    assert.equal(limited?.code, 1303);
    assert.ok(ids.length <= 8);
  });
});
