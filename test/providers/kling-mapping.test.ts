/**
 * Pure Kling mapping, checked against the documented examples of spec providers-2 §1 (request
 * bodies §1.5–§1.7, envelopes §1.8, error table §1.9, token recipe §1.2).
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { defaultCatalog, resolveForModel, validateForModel } from '../../src/catalog/index.js';
import type { ResolvedVideoRequest } from '../../src/contract/video-request.js';
import {
  customElementBody,
  decodeUpstreamId,
  elementIdFromReply,
  encodeUpstreamId,
  fromTaskData,
  inputsFor,
  klingError,
  klingErrors,
  promptWithElementRefs,
  serializeCreateBody,
  signKlingToken,
  stripDataUrlPrefix,
  toCreateRequest,
  createTokenSource,
} from '../../src/providers/kling/index.js';
import { classifyHttpError } from '../../src/providers/http/index.js';
import { UpstreamError } from '../../src/providers/types.js';
import { checkToken } from '../../src/sandbox/kling/auth.js';
import { makeRequest } from '../catalog/request.js';

const catalog = defaultCatalog();
const TASK = 'ldtask_0123456789abcdef0123456789abcdef';

function resolved(id: string, body: Record<string, unknown>): ResolvedVideoRequest {
  const spec = catalog.get(id);
  assert.ok(spec, id);
  const req = makeRequest(spec, body);
  validateForModel(req, spec);
  return resolveForModel(req, spec);
}

function build(id: string, body: Record<string, unknown>, taskId = TASK, elementIds: string[] = []) {
  const req = resolved(id, body);
  return toCreateRequest(req, taskId, inputsFor(req), elementIds);
}

describe('documented request bodies', () => {
  it('§1.5 text-to-video, 2.6 pro with audio', () => {
    const { kind, body } = build(
      'kling-v2.6-pro',
      { prompt: 'A red fox trots through fresh snow at dawn, steam rising from its breath', negative_prompt: 'blurry, text, watermark', output_audio: true, aspect_ratio: '16:9', duration: 5 },
      'gw-7f3a1c',
    );
    assert.equal(kind, 'text2video');
    assert.deepEqual(body, {
      model_name: 'kling-v2-6',
      prompt: 'A red fox trots through fresh snow at dawn, steam rising from its breath',
      negative_prompt: 'blurry, text, watermark',
      mode: 'pro',
      sound: 'on',
      aspect_ratio: '16:9',
      duration: '5',
      external_task_id: 'gw-7f3a1c',
    });
  });

  it('§1.6 start+end frame on 2.5 turbo pro, via image_tail', () => {
    const { kind, body } = build('kling-v2.5-turbo-pro', {
      start_image: 'https://cdn.example.com/start.png',
      end_image: 'https://cdn.example.com/end.png',
      prompt: 'The paper boat drifts from the left bank to the lighthouse',
      duration: 5,
    });
    assert.equal(kind, 'image2video');
    assert.deepEqual(body, {
      model_name: 'kling-v2-5-turbo',
      image: 'https://cdn.example.com/start.png',
      image_tail: 'https://cdn.example.com/end.png',
      prompt: 'The paper boat drifts from the left bank to the lighthouse',
      mode: 'pro',
      duration: '5',
      external_task_id: TASK,
    });
  });

  it('§1.7 omni video-to-video edit on O1 (silent output: keep_original_sound "no")', () => {
    const { kind, body } = build('kling-video-o1-pro', {
      operation: 'video-to-video',
      prompt: 'Replace the sky in <<<video_1>>> with a violet aurora',
      video_url: 'https://cdn.example.com/clip.mp4',
    });
    assert.equal(kind, 'omni-video');
    assert.deepEqual(body, {
      model_name: 'kling-video-o1',
      prompt: 'Replace the sky in <<<video_1>>> with a violet aurora',
      video_list: [{ video_url: 'https://cdn.example.com/clip.mp4', refer_type: 'base', keep_original_sound: 'no' }],
      mode: 'pro',
      external_task_id: TASK,
    });
  });

  it('duration is always a string and never sent for motion control or edits', () => {
    assert.equal((build('kling-v3.0-std', { prompt: 'x', duration: 3 }).body as { duration?: unknown }).duration, '3');
    const mc = build('kling-3.0-motion-control', { operation: 'motion-control', image_url: 'https://example.com/a.png', video_url: 'https://example.com/m.mp4', prompt: 'p' }).body;
    assert.equal('duration' in mc, false);
    assert.equal('aspect_ratio' in mc, false);
  });
});

describe('every Kling catalog model × operation → endpoint, model_name and mode', () => {
  const IMG = 'https://example.com/a.png';
  const IMG2 = 'https://example.com/b.png';
  const MP4 = 'https://example.com/clip.mp4';
  const inputs: Record<string, Record<string, unknown>> = {
    'text-to-video': { prompt: 'p' },
    'image-to-video': { prompt: 'p', image_url: IMG },
    'start-end-to-video': { prompt: 'p', start_image: IMG, end_image: IMG2 },
    'reference-to-video': { prompt: 'p', reference_images: [IMG, IMG2] },
    'video-to-video': { prompt: 'p', video_url: MP4 },
    'motion-control': { prompt: 'p', image_url: IMG, video_url: MP4 },
  };
  const expected: Record<string, { model_name: string; mode?: string }> = {
    'kling-3.0-motion-control': { model_name: 'kling-v3', mode: 'std' },
    'kling-3.0-video': { model_name: 'kling-v3', mode: 'std' },
    'kling-v2.1-master': { model_name: 'kling-v2-1-master' },
    'kling-v2.1-pro': { model_name: 'kling-v2-1', mode: 'pro' },
    'kling-v2.1-standard': { model_name: 'kling-v2-1', mode: 'std' },
    'kling-v2.5-turbo-pro': { model_name: 'kling-v2-5-turbo', mode: 'pro' },
    'kling-v2.5-turbo-std': { model_name: 'kling-v2-5-turbo', mode: 'std' },
    'kling-v2.6-pro': { model_name: 'kling-v2-6', mode: 'pro' },
    'kling-v2.6-std': { model_name: 'kling-v2-6', mode: 'std' },
    'kling-v3.0-pro': { model_name: 'kling-v3', mode: 'pro' },
    'kling-v3.0-std': { model_name: 'kling-v3', mode: 'std' },
    'kling-video-o1-pro': { model_name: 'kling-video-o1', mode: 'pro' },
    'kling-video-o1-std': { model_name: 'kling-video-o1', mode: 'std' },
  };
  const klingModels = catalog.list().filter((m) => m.provider === 'kling');

  it('the table covers the whole Kling catalog', () => {
    assert.deepEqual(klingModels.map((m) => m.id).sort(), Object.keys(expected).sort());
  });

  for (const id of Object.keys(expected)) {
    it(id, () => {
      const spec = catalog.get(id)!;
      for (const { operation } of spec.operations) {
        const { kind, body } = build(id, { operation, ...inputs[operation] });
        const b = body as unknown as Record<string, unknown>;
        const wantKind = operation === 'motion-control' ? 'motion-control' : id.startsWith('kling-video-o1') ? 'omni-video' : operation === 'text-to-video' ? 'text2video' : 'image2video';
        assert.equal(kind, wantKind, `${id} ${operation}`);
        assert.equal(b.model_name, expected[id].model_name, `${id} ${operation}`);
        assert.equal(b.mode, expected[id].mode, `${id} ${operation}`);
        assert.equal(b.external_task_id, TASK);
        if (operation === 'start-end-to-video' && kind === 'image2video') assert.equal(b.image_tail, IMG2);
        if (operation === 'start-end-to-video' && kind === 'omni-video') {
          assert.deepEqual(b.image_list, [
            { image_url: IMG, type: 'first_frame' },
            { image_url: IMG2, type: 'end_frame' },
          ]);
        }
        if (operation === 'reference-to-video') {
          assert.deepEqual(b.image_list, [{ image_url: IMG }, { image_url: IMG2 }]);
          assert.equal(b.aspect_ratio, '16:9', 'reference mode needs an aspect ratio upstream');
        }
        if (kind === 'image2video') assert.equal(b.aspect_ratio, undefined, 'image2video takes no aspect_ratio');
      }
    });
  }

  it('kling-3.0-video 1080p uses pro mode', () => {
    assert.equal((build('kling-3.0-video', { prompt: 'p', resolution: '1080p' }).body as { mode?: string }).mode, 'pro');
  });
});

describe('sound switch (output_audio)', () => {
  it('kling-3.0-video is silent unless asked, and says so explicitly', () => {
    assert.equal((build('kling-3.0-video', { prompt: 'p' }).body as { sound?: string }).sound, 'off');
    assert.equal((build('kling-3.0-video', { prompt: 'p', output_audio: true }).body as { sound?: string }).sound, 'on');
  });
  it('models before 2.6 and O1 never get a sound field', () => {
    for (const id of ['kling-v2.1-master', 'kling-v2.5-turbo-pro', 'kling-video-o1-std']) {
      assert.equal('sound' in build(id, { prompt: 'p' }).body, false, id);
    }
  });
  it('motion control keeps the reference sound only when audio is wanted (catalog: silent)', () => {
    const b = build('kling-3.0-motion-control', { operation: 'motion-control', image_url: 'https://example.com/a.png', video_url: 'https://example.com/m.mp4' }).body;
    assert.equal((b as { keep_original_sound?: string }).keep_original_sound, 'no');
    assert.equal((b as { character_orientation?: string }).character_orientation, 'video');
  });
});

describe('kling_elements', () => {
  const seed = {
    prompt: 'Place @hero_bag on a studio turntable with soft product lighting.',
    operation: 'image-to-video',
    image_url: 'https://example.com/studio-start.png',
    duration: 5,
    resolution: '720p',
    kling_elements: [{ name: 'hero_bag', description: 'black leather handbag', element_input_urls: ['https://example.com/bag-front.png', 'https://example.com/bag-side.png'] }],
  };

  it('become custom-element bodies (frontal + refer list) and an element_list with @name → <<<element_N>>>', () => {
    const req = resolved('kling-3.0-video', seed);
    const inputs = inputsFor(req);
    assert.deepEqual(customElementBody(inputs.elements![0]), {
      element_name: 'hero_bag',
      element_description: 'black leather handbag',
      element_frontal_image: 'https://example.com/bag-front.png',
      element_refer_list: [{ image_url: 'https://example.com/bag-side.png' }],
    });
    const { kind, body } = toCreateRequest(req, TASK, inputs, ['867283741759111202']);
    assert.equal(kind, 'image2video');
    assert.deepEqual(body, {
      model_name: 'kling-v3',
      mode: 'std',
      external_task_id: TASK,
      image: 'https://example.com/studio-start.png',
      prompt: 'Place <<<element_1>>> on a studio turntable with soft product lighting.',
      sound: 'off',
      duration: '5',
      element_list: [{ element_id: '867283741759111202' }],
    });
    // Long ids are written as JSON integers, digit for digit.
    assert.match(serializeCreateBody(body), /"element_list":\[\{"element_id":867283741759111202\}\]/);
  });

  it('names are matched whole, longest first', () => {
    assert.equal(promptWithElementRefs('@cat and @cat_2 meet @cats', ['cat', 'cat_2']), '<<<element_1>>> and <<<element_2>>> meet @cats');
  });

  it('long names and missing descriptions fit Kling limits', () => {
    const b = customElementBody({ name: 'a_very_long_element_name_indeed', description: '', images: ['u1', 'u2', 'u3', 'u4'] });
    assert.equal(b.element_name, 'a_very_long_element_');
    assert.equal(b.element_description, 'a_very_long_element_name_indeed');
    assert.equal(b.element_refer_list.length, 3);
    assert.throws(() => customElementBody({ name: 'x', description: '', images: ['only-one'] }), UpstreamError);
  });

  it('element ids are read from the raw reply without precision loss', () => {
    assert.equal(elementIdFromReply('{"code":0,"data":{"element_id":9007199254740993123,"element_name":"x"}}'), '9007199254740993123');
    assert.equal(elementIdFromReply('{"code":0,"data":{"element_id":"42"}}'), '42');
  });
});

describe('media', () => {
  it('a data: URL becomes bare base64 (Kling refuses the prefix)', () => {
    assert.equal(stripDataUrlPrefix('data:image/png;base64,iVBORw0KGgo='), 'iVBORw0KGgo=');
  });
});

describe('upstream ids carry the create family', () => {
  it('round-trips and refuses anything else', () => {
    const id = encodeUpstreamId('omni-video', '867283741759111202');
    assert.equal(id, 'omni-video/867283741759111202');
    assert.deepEqual(decodeUpstreamId(id), { kind: 'omni-video', taskId: '867283741759111202' });
    assert.equal(decodeUpstreamId('image2video/../../x'), undefined);
    assert.equal(decodeUpstreamId('lip-sync/1'), undefined);
    assert.equal(decodeUpstreamId('867283741759111202'), undefined);
  });
});

describe('documented responses (§1.8)', () => {
  it('submitted → queued, processing → running, unknown → running', () => {
    assert.deepEqual(fromTaskData({ task_id: '1', task_status: 'submitted' }), { state: 'queued' });
    assert.deepEqual(fromTaskData({ task_id: '1', task_status: 'processing', task_result: {} }), { state: 'running' });
    assert.deepEqual(fromTaskData({ task_id: '1', task_status: 'rendering' }), { state: 'running' });
  });

  it('succeed → the CDN url', () => {
    const reply = {
      code: 0,
      message: 'SUCCEED',
      request_id: '2bbcea36-0000',
      data: {
        task_id: '867283741759111202',
        task_status: 'succeed',
        task_status_msg: '',
        task_info: { external_task_id: 'gw-7f3a1c' },
        watermark_info: { enabled: false },
        final_unit_deduction: '2',
        created_at: 1774805076166,
        updated_at: 1774805160000,
        task_result: { videos: [{ id: '867283...815', url: 'https://v16-kling-fdl.klingai.com/x.mp4', watermark_url: '', duration: '5.1' }] },
      },
    };
    assert.deepEqual(fromTaskData(reply.data), { state: 'succeeded', outputs: [{ kind: 'video', url: 'https://v16-kling-fdl.klingai.com/x.mp4', mimeType: 'video/mp4' }] });
  });

  it('failed: risk-control wording → content_policy_violation, else upstream_error with the reason', () => {
    const policy = fromTaskData({ task_id: '1', task_status: 'failed', task_status_msg: 'Failure to pass the risk control system' });
    assert.equal(policy.state === 'failed' && policy.error.code, 'content_policy_violation');
    const other = fromTaskData({ task_id: '1', task_status: 'failed', task_status_msg: 'internal error' });
    assert.equal(other.state === 'failed' && other.error.code, 'upstream_error');
    assert.match(other.state === 'failed' ? other.error.message : '', /internal error/);
  });

  it('succeed without a url is a failure, not an empty success', () => {
    assert.equal(fromTaskData({ task_id: '1', task_status: 'succeed', task_result: { videos: [] } }).state, 'failed');
  });
});

describe('error table (§1.9)', () => {
  const cases: Array<[number, number, string]> = [
    [401, 1004, 'auth'],
    [401, 1002, 'auth'],
    [429, 1101, 'quota'],
    [429, 1102, 'quota'],
    [403, 1103, 'auth'],
    [400, 1200, 'invalid_input'],
    [400, 1201, 'invalid_input'],
    [404, 1203, 'not_found'],
    [400, 1300, 'content_policy'],
    [400, 1301, 'content_policy'],
    [429, 1302, 'rate_limited'],
    [429, 1303, 'rate_limited'],
    [500, 5000, 'unavailable'],
    [503, 5001, 'unavailable'],
    [504, 5002, 'unavailable'],
  ];
  for (const [http, code, kind] of cases) {
    it(`${http} / ${code} → ${kind}`, () => {
      const e = klingError(http, { code, message: 'm', request_id: 'r-1' });
      assert.equal(e.kind, kind);
      assert.equal(e.upstreamCode, String(code));
      assert.match(e.message, new RegExp(`code ${code}`));
    });
  }

  it('HTTP 200 with a non-zero code is still an error, mapped by its code', () => {
    assert.equal(klingError(200, { code: 1303, message: 'parallel task over resource pack limit' }).kind, 'rate_limited');
    // On a create, a refused model_name is model_retired; on a query, 1203 stays "no such task".
    assert.equal(classifyHttpError(klingErrors('create'), 400, { code: 1201, message: 'model_name is invalid: kling-v1-6' }).kind, 'model_retired');
    assert.equal(classifyHttpError(klingErrors('create'), 400, { code: 1201, message: 'duration must be one of: 5, 10' }).kind, 'invalid_input');
    assert.equal(klingError(404, { code: 1203, message: 'task not found' }).kind, 'not_found');
    assert.equal(klingError(200, { code: 1102, message: 'resource pack exhausted' }).kind, 'quota');
  });

  it('429 honours Retry-After; unknown codes fall back on the HTTP status; HTML bodies are readable', () => {
    assert.equal(klingError(429, { code: 1303, message: 'x' }, { 'retry-after': '7' }).retryAfterSeconds, 7);
    assert.equal(klingError(502, '<html><body>Bad gateway</body></html>').kind, 'unavailable');
    assert.match(klingError(502, '<html><body>Bad gateway</body></html>').message, /Bad gateway/);
    assert.equal(klingError(400, { code: 1299, message: 'new' }).kind, 'invalid_input');
  });

  it('messages tell the operator what to do', () => {
    assert.match(klingError(401, { code: 1004, message: 'expired' }).message, /clock/);
    assert.match(klingError(429, { code: 1102, message: 'x' }).message, /resource pack/);
  });
});

describe('JWT (§1.2)', () => {
  const AK = 'AKtest0123456789';
  const SK = 'SKsecret0123456789';

  it('HS256 over base64url(header).base64url(payload), iss = AK, exp = now+1800, nbf = now-5', () => {
    const token = signKlingToken(AK, SK, 1_700_000_000);
    const [h, p, s] = token.split('.');
    assert.deepEqual(JSON.parse(Buffer.from(h, 'base64url').toString()), { alg: 'HS256', typ: 'JWT' });
    assert.deepEqual(JSON.parse(Buffer.from(p, 'base64url').toString()), { iss: AK, exp: 1_700_001_800, nbf: 1_699_999_995 });
    assert.equal(s, createHmac('sha256', SK).update(`${h}.${p}`).digest('base64url'));
    assert.doesNotMatch(token, /[=+/]/);
  });

  it('the simulator accepts a fresh token and refuses expired, future, foreign and tampered ones like Kling', () => {
    const now = 1_700_000_000;
    assert.equal(checkToken(`Bearer ${signKlingToken(AK, SK, now)}`, AK, SK, now), undefined);
    assert.equal(checkToken(`Bearer ${signKlingToken(AK, SK, now - 3600)}`, AK, SK, now)?.code, 1004);
    assert.equal(checkToken(`Bearer ${signKlingToken(AK, SK, now + 600)}`, AK, SK, now)?.code, 1003);
    assert.equal(checkToken(`Bearer ${signKlingToken(AK, 'wrong-secret', now)}`, AK, SK, now)?.code, 1002);
    assert.equal(checkToken(`Bearer ${signKlingToken('other-ak', SK, now)}`, AK, SK, now)?.code, 1002);
    assert.equal(checkToken(undefined, AK, SK, now)?.code, 1001);
    assert.equal(checkToken(`Bearer ${signKlingToken(AK, SK, now - 3600)}`, AK, SK, now)?.httpStatus, 401);
  });

  it('the token source reuses a token until 5 minutes before it expires', () => {
    let t = 1_700_000_000;
    const src = createTokenSource(AK, SK, () => t);
    const first = src.token();
    t += 1400;
    assert.equal(src.token(), first);
    t += 200;
    assert.notEqual(src.token(), first);
  });
});
