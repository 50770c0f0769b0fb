/**
 * Seedance through the whole gateway (sandbox): every model × listed operation completes with a
 * playable MP4 matching the request; the seed examples complete; rule violations are 400s that never
 * reach the simulator; a 429 storm, failed and refused jobs end as documented; a queued task is
 * cancelled upstream by DELETE /v1/tasks/{id}.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ffprobeFile } from '../helpers/ffprobe.js';
import { startTestGateway, waitForStatus, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';
import type { SeedanceFaultControls, SeedanceSimulatorStats } from '../../src/sandbox/seedance/index.js';

const IMG = (n: string) => `https://example.com/seedance-${n}.png`; // placeholder images: 640x360
const MP4 = (n: string) => `https://example.com/seedance-${n}.mp4`;
const MP3 = (n: string) => `https://example.com/seedance-${n}.mp3`;

interface Case {
  body: Record<string, unknown>;
  width: number;
  height: number;
  duration: number;
  audio: boolean;
}

const at480 = { duration: 4, resolution: '480p' };
/** Every model × every operation the catalog lists for it, cheap (480p, 4 s). Adaptive with a 16:9 image → 16:9. */
const MATRIX: Case[] = [
  { body: { model: 'seedance-1.5-pro', operation: 'text-to-video', prompt: 'A red kite over the sea', ...at480, aspect_ratio: '9:16' }, width: 480, height: 854, duration: 4, audio: true },
  { body: { model: 'seedance-1.5-pro', operation: 'image-to-video', prompt: 'The kite starts to fly', image_url: IMG('kite'), ...at480, output_audio: false }, width: 854, height: 480, duration: 4, audio: false },
  ...['seedance-2.0', 'seedance-2.0-fast'].flatMap((model): Case[] => [
    { body: { model, prompt: 'Neon city at night', ...at480, aspect_ratio: '1:1', output_audio: false }, width: 480, height: 480, duration: 4, audio: false },
    { body: { model, operation: 'image-to-video', prompt: 'Gentle motion', image_url: IMG('city'), ...at480 }, width: 854, height: 480, duration: 4, audio: true },
    { body: { model, operation: 'start-end-to-video', prompt: 'Day to night', start_image: IMG('day'), end_image: IMG('night'), ...at480, aspect_ratio: '16:9' }, width: 854, height: 480, duration: 4, audio: true },
    {
      body: { model, operation: 'reference-to-video', prompt: 'Image 1 dances', reference_images: [IMG('dancer')], ...at480, aspect_ratio: '4:3', output_audio: false },
      width: 640,
      height: 480,
      duration: 4,
      audio: false,
    },
  ]),
];

/** The seed examples of the brief: 2.0 multimodal references, and 1.5 Pro t2v/i2v with family defaults (720p, 5 s). */
const SEEDS: Case[] = [
  {
    body: {
      model: 'seedance-2.0',
      operation: 'reference-to-video',
      prompt: 'Image 1 walks through the alley from Video 1 while Audio 1 plays throughout.',
      reference_images: [IMG('hero')],
      video_urls: [MP4('alley')],
      audio_urls: [MP3('theme')],
      duration: 5,
      aspect_ratio: '16:9',
    },
    width: 1280,
    height: 720,
    duration: 5,
    audio: true,
  },
  { body: { model: 'seedance-1.5-pro', prompt: 'A calm cinematic shot of a cat walking through a sunlit garden.', duration: 5, aspect_ratio: '16:9' }, width: 1280, height: 720, duration: 5, audio: true },
  { body: { model: 'seedance-1.5-pro', operation: 'image-to-video', prompt: 'Make this image come alive with gentle movement', image_url: IMG('image'), duration: 5 }, width: 1280, height: 720, duration: 5, audio: true },
];

const many = (n: number, f: (i: string) => string) => Array.from({ length: n }, (_, i) => f(`many-${i}`));

/** Documented rules of the family: each a 400 naming `param`, before any upstream call. */
const VIOLATIONS: [string, Record<string, unknown>, string, string][] = [
  ['2.0-fast at 1080p', { model: 'seedance-2.0-fast', prompt: 'x', resolution: '1080p' }, 'resolution', 'invalid_resolution'],
  ['2.0-fast at 4k', { model: 'seedance-2.0-fast', prompt: 'x', resolution: '4k' }, 'resolution', 'invalid_resolution'],
  ['reference images mixed with a first frame', { model: 'seedance-2.0', prompt: 'x', reference_images: [IMG('a')], image_url: IMG('b') }, 'image_url', 'conflicting_parameters'],
  ['start-end mixed with references', { model: 'seedance-2.0', prompt: 'x', start_image: IMG('a'), end_image: IMG('b'), reference_images: [IMG('c')] }, 'reference_images', 'conflicting_parameters'],
  ['first frame mixed with reference videos', { model: 'seedance-2.0', prompt: 'x', operation: 'image-to-video', image_url: IMG('a'), video_urls: [MP4('v')] }, 'video_urls', 'conflicting_parameters'],
  ['10 reference images (the contract caps the array at 9)', { model: 'seedance-2.0', prompt: 'x', reference_images: many(10, IMG) }, 'reference_images', 'invalid_value'],
  [
    '6 reference images + 4 material ids',
    { model: 'seedance-2.0-fast', prompt: 'x', reference_images: many(6, IMG), material_asset_ids: ['asset-1', 'asset-2', 'asset-3', 'asset-4'] },
    'reference_images',
    'too_many_references',
  ],
  ['4 reference videos', { model: 'seedance-2.0', prompt: 'x', reference_images: [IMG('a')], video_urls: many(4, MP4) }, 'video_urls', 'invalid_value'],
  ['4 reference audios', { model: 'seedance-2.0-fast', prompt: 'x', reference_images: [IMG('a')], audio_urls: many(4, MP3) }, 'audio_urls', 'invalid_value'],
  ['audio-only references', { model: 'seedance-2.0', prompt: 'x', operation: 'reference-to-video', audio_urls: [MP3('a')] }, 'reference_images', 'missing_required_parameter'],
  ['1.5 Pro reference-to-video', { model: 'seedance-1.5-pro', prompt: 'x', operation: 'reference-to-video', reference_images: [IMG('a')] }, 'operation', 'unsupported_operation'],
  ['1.5 Pro for 13 s', { model: 'seedance-1.5-pro', prompt: 'x', duration: 13 }, 'duration', 'invalid_duration'],
  ['2.0 for 16 s', { model: 'seedance-2.0', prompt: 'x', duration: 16 }, 'duration', 'invalid_duration'],
  ['2.0 with camera_fixed', { model: 'seedance-2.0', prompt: 'x', camera_fixed: true }, 'camera_fixed', 'unsupported_parameter'],
  ['2.0 with frames', { model: 'seedance-2.0', prompt: 'x', frames: 121 }, 'frames', 'unsupported_parameter'],
  ['2.0 with service_tier (BytePlus strips it for 2.x)', { model: 'seedance-2.0', prompt: 'x', service_tier: 'flex' }, 'service_tier', 'unsupported_parameter'],
  ['2.0-fast with execution_expires_after', { model: 'seedance-2.0-fast', prompt: 'x', execution_expires_after: 3600 }, 'execution_expires_after', 'unsupported_parameter'],
  ['a draft at 720p (drafts render 480p)', { model: 'seedance-1.5-pro', prompt: 'x', draft: true, resolution: '720p' }, 'resolution', 'invalid_resolution'],
  ['2.0 with draft', { model: 'seedance-2.0', prompt: 'x', draft: true }, 'draft', 'unsupported_parameter'],
  ['negative_prompt (Ark has none)', { model: 'seedance-2.0', prompt: 'x', negative_prompt: 'blur' }, 'negative_prompt', 'unsupported_parameter'],
  ['aspect ratio 5:4', { model: 'seedance-2.0', prompt: 'x', aspect_ratio: '5:4' }, 'aspect_ratio', ''],
];

describe('Seedance through the gateway', () => {
  let gw: TestGateway;
  let stats: SeedanceSimulatorStats;
  let faults: SeedanceFaultControls;
  before(async () => {
    gw = await startTestGateway();
    stats = gw.sandbox!.seedance!.stats as SeedanceSimulatorStats;
    faults = gw.sandbox!.seedance!.faults as SeedanceFaultControls;
  });
  after(async () => gw.close());

  async function create(body: Record<string, unknown>): Promise<string> {
    const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body });
    assert.equal(res.status, 200, `${JSON.stringify(body)} → ${await res.clone().text()}`);
    return ((await res.json()) as { id: string }).id;
  }

  async function checkCompleted(id: string, want: Case, name: string): Promise<void> {
    const done = await waitForTask(gw, id, { timeoutMs: 120_000 });
    assert.equal(done.status, 'completed', `${name}: ${JSON.stringify(done)}`);
    assert.deepEqual(validateAgainst('VideoTaskResponse', done), []);
    const res = await fetch(done.video_url);
    assert.equal(res.status, 200);
    const file = join(gw.dataDir, `${id}.mp4`);
    await writeFile(file, Buffer.from(await res.arrayBuffer()));
    const p = await ffprobeFile(file);
    assert.deepEqual([p.width, p.height, p.hasAudio, p.codec], [want.width, want.height, want.audio, 'h264'], name);
    assert.ok(Math.abs(p.duration - want.duration) < 0.2, `${name}: duration ${p.duration}`);
    assert.equal(done.has_audio, want.audio, name);
  }

  it('every model × operation completes with a video matching the request', async () => {
    const ids: string[] = [];
    for (const c of MATRIX) ids.push(await create(c.body));
    for (const [i, id] of ids.entries()) await checkCompleted(id, MATRIX[i], `${MATRIX[i].body.model} ${MATRIX[i].body.operation ?? 'text-to-video'}`);
  });

  it('the seed examples complete', async () => {
    const ids: string[] = [];
    for (const c of SEEDS) ids.push(await create(c.body));
    for (const [i, id] of ids.entries()) await checkCompleted(id, SEEDS[i], `seed ${i}`);
  });

  it('rule violations are 400s naming the parameter, and nothing reaches the upstream', async () => {
    const before = stats.creates;
    for (const [name, body, param, code] of VIOLATIONS) {
      const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body });
      assert.equal(res.status, 400, `${name}: ${await res.clone().text()}`);
      const err = ((await res.json()) as any).error;
      assert.equal(err.param, param, `${name}: ${JSON.stringify(err)}`);
      if (code) assert.equal(err.code, code, `${name}: ${JSON.stringify(err)}`);
      assert.ok(err.message.length > 20, name);
    }
    const fast = await (await gw.api('/v1/videos/generations', { method: 'POST', json: VIOLATIONS[0][1] })).json();
    assert.match((fast as any).error.message, /Allowed resolutions: 480p, 720p/);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(stats.creates, before, 'the simulator saw no create');
  });

  it('a 429 storm on every channel: the task still completes, each retry waiting the Retry-After', async () => {
    const attemptsBefore = stats.createAttemptTimes.length;
    faults.rateLimitNext(2, { retryAfterSeconds: 2, only: 'create' });
    // The Volcengine Ark channel stands by for BytePlus: it is busy too, so each attempt fails over to it and back off.
    const volcengine = gw.sandbox!['volcengine-ark']!;
    const volcengineBefore = (volcengine.stats as SeedanceSimulatorStats).createAttemptTimes.length;
    (volcengine.faults as SeedanceFaultControls).rateLimitNext(2, { retryAfterSeconds: 2, only: 'create' });
    const id = await create({ model: 'seedance-2.0-fast', prompt: 'Storm at sea', ...at480, output_audio: false });
    await checkCompleted(id, { body: {}, width: 854, height: 480, duration: 4, audio: false }, '429 storm');
    const times = stats.createAttemptTimes.slice(attemptsBefore);
    assert.equal(times.length, 3, `attempts: ${times.length}`);
    for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 1950, `retry ${i} after ${times[i] - times[i - 1]} ms`);
    assert.equal((volcengine.stats as SeedanceSimulatorStats).createAttemptTimes.length - volcengineBefore, 2, 'each refused attempt tried the other channel too');
  });

  it('failed and refused upstream jobs fail the task with a clear code', async () => {
    const cases: [string, string][] = [
      ['This one breaks [sim:fail]', 'upstream_error'],
      ['Bad output [sim:policy-output]', 'content_policy_violation'],
      ['Bad words [sim:policy]', 'content_policy_violation'],
      ['Waited too long [sim:expire]', 'timeout_error'],
    ];
    const ids: string[] = [];
    for (const [prompt] of cases) ids.push(await create({ model: 'seedance-2.0', prompt, ...at480 }));
    for (const [i, id] of ids.entries()) {
      const done = await waitForTask(gw, id);
      assert.equal(done.status, 'failed');
      assert.equal(done.error.code, cases[i][1], JSON.stringify(done));
      assert.ok(done.error.message.length > 10);
      assert.deepEqual(validateAgainst('VideoTaskResponse', done), []);
      const key = gw.sandbox!.seedance!.credentials.ARK_API_KEY;
      assert.ok(!JSON.stringify(done).includes(key), 'no provider key in the task');
    }
    assert.ok(!gw.logs.join('\n').includes(gw.sandbox!.seedance!.credentials.ARK_API_KEY), 'no provider key in logs');
  });

  it('DELETE of a queued task cancels it upstream; a running one is refused', async () => {
    const cancelsBefore = stats.cancels;
    const id = await create({ model: 'seedance-2.0', prompt: 'Waits in the queue [sim:queue]', ...at480 });
    await waitForStatus(gw, id, ['processing']);
    const res = await gw.api(`/v1/tasks/${id}`, { method: 'DELETE' });
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as Record<string, any>;
    assert.deepEqual([body.status, body.cancelled, body.cancellation_status, body.error.code], ['failed', true, 'cancelled', 'task_cancelled']);
    assert.equal(stats.cancels, cancelsBefore + 1, 'the upstream task was cancelled');
    await new Promise((r) => setTimeout(r, 300));
    const again = (await (await gw.api(`/v1/tasks/${id}`)).json()) as Record<string, any>;
    assert.deepEqual([again.status, again.cancelled], ['failed', true]);

    const running = await create({ model: 'seedance-1.5-pro', prompt: 'Runs forever [sim:hang]', ...at480 });
    await waitForStatus(gw, running, ['processing']);
    // Let the upstream move from queued to running (≤ 0.6 s at sandbox speed 20).
    await new Promise((r) => setTimeout(r, 1000));
    const refused = await gw.api(`/v1/tasks/${running}`, { method: 'DELETE' });
    assert.equal(refused.status, 409);
    assert.equal(((await refused.json()) as any).error.code, 'task_not_cancellable');
    assert.equal(stats.cancels, cancelsBefore + 1);
  });
});
