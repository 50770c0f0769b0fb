/** Pure Topaz mapping, checked against the spec's example bodies (providers-1 §5.3–5.7). */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ResolvedVideoRequest } from '../../src/contract/video-request.js';
import { probeVideoBytes } from '../../src/media/probe.js';
import { bareETag, containerOf, DEFAULT_PART_BYTES, fromStatus, mapHttpError, targetResolution, toCreateVideoBody, uploadParts } from '../../src/providers/topaz/index.js';
import { UpstreamError } from '../../src/providers/types.js';
import { placeholderMedia } from '../../src/sandbox/example-media.js';

function req(over: Partial<ResolvedVideoRequest> = {}): ResolvedVideoRequest {
  return {
    model: 'topaz-video-upscale',
    operation: 'video-to-video',
    operation_explicit: true,
    sent: [],
    video_url: 'https://example.com/source.mp4',
    prompt: 'ignored',
    duration: 10,
    resolution: '1080p',
    aspect_ratio: 'adaptive',
    output_audio: false,
    upstream_model: 'prob-4',
    ...over,
  };
}

/** The source of the docs walkthrough (§5.3): 800x448, 24 fps, 4 s, 477 010 bytes. */
const DOC_SOURCE = { container: 'mp4' as const, sizeBytes: 477010, durationSeconds: 4, width: 800, height: 448, frameRate: 24, hasAudio: true };

describe('toCreateVideoBody', () => {
  it('describes the source exactly as the docs example does, and asks for the target resolution', () => {
    assert.deepEqual(toCreateVideoBody(req(), DOC_SOURCE), {
      source: { container: 'mp4', size: 477010, duration: 4, frameRate: 24, frameCount: 96, resolution: { width: 800, height: 448 } },
      output: { container: 'mp4', resolution: { width: 1928, height: 1080 }, frameRate: 24, audioCodec: 'AAC', audioTransfer: 'Copy', dynamicCompressionLevel: 'Mid' },
      filters: [{ model: 'prob-4', auto: 'Auto', videoType: 'Progressive' }],
    });
  });

  it('4k keeps the aspect ratio; portrait sources scale on their short side; silent sources transfer no audio', () => {
    assert.deepEqual(targetResolution({ width: 640, height: 360 }, '4k'), { width: 3840, height: 2160 });
    assert.deepEqual(targetResolution({ width: 360, height: 640 }, '1080p'), { width: 1080, height: 1920 });
    const body = toCreateVideoBody(req({ upstream_model: 'slp-2.6' }), { ...DOC_SOURCE, hasAudio: false });
    assert.equal(body.output.audioTransfer, 'None');
    assert.deepEqual(body.filters, [{ model: 'slp-2.6' }]);
  });

  it('refuses sources it cannot describe, with a fix', () => {
    for (const [source, message] of [
      [{ ...DOC_SOURCE, frameRate: undefined }, /frame rate/],
      [{ ...DOC_SOURCE, durationSeconds: 0 }, /duration/],
    ] as const) {
      assert.throws(
        () => toCreateVideoBody(req(), source),
        (e: unknown) => e instanceof UpstreamError && e.kind === 'invalid_input' && message.test(e.message),
      );
    }
    assert.throws(() => targetResolution({ width: 640, height: 360 }, '480p'), /1080p or 4k/);
  });
});

describe('uploads', () => {
  it('one part below the part size; in-order parts above it', () => {
    assert.deepEqual(uploadParts(477010, 1), [{ start: 0, end: 477010 }]);
    // Parts are 500 MB decimal (500,000,000 bytes), not 500 MiB: a 510 MB source takes two URLs' worth.
    assert.equal(DEFAULT_PART_BYTES, 500_000_000);
    assert.deepEqual(uploadParts(510_000_000, 2), [
      { start: 0, end: 500_000_000 },
      { start: 500_000_000, end: 510_000_000 },
    ]);
    assert.deepEqual(uploadParts(1000, 3, 400), [
      { start: 0, end: 400 },
      { start: 400, end: 800 },
      { start: 800, end: 1000 },
    ]);
    assert.deepEqual(uploadParts(1000, 2, 100), [
      { start: 0, end: 500 },
      { start: 500, end: 1000 },
    ]);
    assert.deepEqual(uploadParts(1000, 1, 100), [{ start: 0, end: 1000 }]);
    assert.throws(() => uploadParts(10, 0), /without upload URLs/);
  });

  it('strips quotes from S3 ETags', () => {
    assert.equal(bareETag('"9b2cf535f27731c974343645a3985328"'), '9b2cf535f27731c974343645a3985328');
    assert.equal(bareETag(null), undefined);
  });

  it('recognises MP4, MOV and MKV by signature before the declared type', () => {
    const box = (brand: string) => Buffer.concat([Buffer.from([0, 0, 0, 20]), Buffer.from(`ftyp${brand}`, 'latin1'), Buffer.alloc(8)]);
    assert.equal(containerOf(box('isom'), 'application/octet-stream'), 'mp4');
    assert.equal(containerOf(box('qt  '), 'video/mp4'), 'mov');
    assert.equal(containerOf(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0, 0]), 'video/webm'), 'mkv');
    assert.equal(containerOf(Buffer.from('????'), 'video/quicktime'), 'mov');
    assert.throws(() => containerOf(Buffer.from('GIF89a'), 'image/gif'), /MP4, MOV or MKV/);
  });

  it('probeVideo reports the frame rate Topaz needs (additive field of media/probe.ts)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vidgate-topaz-probe-'));
    try {
      const clip = await placeholderMedia('https://example.com/topaz-probe.mp4', 'video');
      const p = await probeVideoBytes(clip.bytes, dir);
      assert.deepEqual([p.width, p.height, p.frameRate, p.hasAudio], [640, 360, 12, false]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('fromStatus', () => {
  it('maps the documented status examples', () => {
    assert.deepEqual(fromStatus({ status: 'processing', progress: 37.5, message: 'Processing', estimates: { cost: [11, 14], time: [60, 120] } }), { state: 'running', progress: 37.5 });
    assert.deepEqual(fromStatus({ status: 'complete', progress: 100, outputSize: 9123456, download: { url: 'https://s3.example.com/output.mp4?X-Amz-Signature=x', expiresIn: 604800, expiresAt: 1760600000 } }), {
      state: 'succeeded',
      outputs: [{ kind: 'video', url: 'https://s3.example.com/output.mp4?X-Amz-Signature=x', mimeType: 'video/mp4' }],
    });
  });

  it('maps every status value', () => {
    for (const s of ['requested', 'accepted', 'initializing']) assert.equal(fromStatus({ status: s }).state, 'queued');
    for (const s of ['preprocessing', 'processing', 'postprocessing']) assert.equal(fromStatus({ status: s }).state, 'running');
    // `canceling` is still running (the GPU work is being stopped); only `canceled` is final.
    assert.equal(fromStatus({ status: 'canceling' }).state, 'running');
    assert.equal(fromStatus({ status: 'canceled' }).state, 'cancelled');
    assert.deepEqual(fromStatus({ status: 'failed', errorCode: 'PROCESSING_FAILED', message: 'The pipeline failed.' }), { state: 'failed', error: { code: 'upstream_error', message: 'The pipeline failed.' } });
    assert.equal((fromStatus({ status: 'failed', errorCode: 'INVALID_INPUT' }) as any).error.code, 'invalid_request');
    assert.equal(fromStatus({ status: 'complete' }).state, 'failed');
  });
});

describe('mapHttpError', () => {
  it('reads the OpenAPI body, FastAPI detail and plain error forms', () => {
    const e = mapHttpError(400, { message: 'Invalid request', errorCode: 'INVALID_INPUT', errors: [{ type: 'missing', path: 'source.size', location: 'body', msg: 'is required' }] });
    assert.equal(e.kind, 'invalid_input');
    assert.match(e.message, /source\.size: is required/);
    assert.equal(mapHttpError(422, { detail: [{ msg: 'field required' }] }).message, 'field required');
    assert.equal(mapHttpError(400, { detail: 'bad' }).message, 'bad');
    assert.equal(mapHttpError(400, { error: 'nope' }).message, 'nope');
  });

  it('maps codes and statuses to kinds', () => {
    const cases: [number, unknown, string][] = [
      [402, { message: 'Insufficient credits', errorCode: 'INSUFFICIENT_CREDITS' }, 'quota'],
      [400, { message: 'Insufficient credits', errorCode: 'INSUFFICIENT_CREDITS' }, 'quota'],
      [401, { message: 'Unauthorized', errorCode: 'UNAUTHORIZED' }, 'auth'],
      [403, { message: 'Forbidden', errorCode: 'FORBIDDEN' }, 'auth'],
      [404, { message: 'Not found' }, 'not_found'],
      [429, { message: 'slow down' }, 'rate_limited'],
      [503, { message: 'Maintenance', errorCode: 'SERVER_MAINTENANCE' }, 'unavailable'],
      [500, '<html>oops</html>', 'unavailable'],
    ];
    for (const [status, body, kind] of cases) assert.equal(mapHttpError(status, body).kind, kind, `${status}`);
    assert.equal(mapHttpError(429, {}, { 'retry-after': '9' }).retryAfterSeconds, 9);
  });

  it('the OpenAPI error bodies are {message} only: kinds come from the status, a refused filter model from the message', () => {
    const cases: [number, string, string][] = [
      [400, 'Invalid input', 'invalid_input'],
      [401, 'Unauthorized', 'auth'],
      [402, 'Insufficient credits', 'quota'],
      [403, 'Forbidden', 'auth'],
      [404, 'Not Found', 'not_found'],
      [500, 'Internal server error', 'unavailable'],
      [503, 'Service unavailable', 'unavailable'],
    ];
    for (const [status, message, kind] of cases) assert.equal(mapHttpError(status, { message }).kind, kind, `${status}`);
    assert.equal(mapHttpError(400, { message: "Invalid request: filters.0.model: unknown model 'prob-3'" }).kind, 'model_retired');
    assert.equal(mapHttpError(400, { message: 'Invalid request: filters.0.model: is required' }).kind, 'invalid_input');
  });
});
