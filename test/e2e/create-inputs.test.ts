/**
 * Inputs a create must refuse before the 200, over the real gateway: an input given under two of its
 * names, inline media whose bytes are not what their data: URL declares, and inline images of a type
 * the model's upstream does not take (Veo, Kling, Sora, Vidu).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';
import { MP4_BYTES } from '../providers/local-server.js';
import { solidImage, tempDir } from '../sandbox/media-helpers.js';

const IMG = 'https://example.com/frame.png';

describe('create inputs refused before the task exists', () => {
  let gw: TestGateway;
  let work: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    gw = await startTestGateway();
    work = await tempDir('vidgate-inputs-');
  });
  after(async () => {
    await gw?.close();
    await work?.cleanup();
  });

  async function refused(body: Record<string, unknown>): Promise<{ message: string; type: string; code: string; param: string } & Record<string, unknown>> {
    const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body });
    const answer = (await res.json()) as { error: { message: string; type: string; code: string; param: string } };
    assert.equal(res.status, 400, JSON.stringify(answer));
    assert.deepEqual(validateAgainst('ApiError', answer), []);
    assert.equal(answer.error.type, 'invalid_request_error');
    return answer.error;
  }

  it('a first frame under two of its names is a 400 naming both, not one silently winning', async () => {
    const png = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==';
    const cases: [Record<string, unknown>, string][] = [
      [{ image: png, image_url: IMG }, 'image,image_url'],
      [{ image_url: IMG, image_urls: [IMG] }, 'image_url,image_urls'],
      [{ image_urls: [IMG], image: png }, 'image_urls,image'],
    ];
    for (const model of ['veo3.1-fast', 'kling-v2.6-pro', 'seedance-2.0']) {
      for (const [inputs, param] of cases) {
        const error = await refused({ model, prompt: 'x', ...inputs });
        const [a, b] = param.split(',');
        assert.deepEqual([error.code, error.param], ['conflicting_parameters', param], `${model} ${param}: ${error.message}`);
        assert.match(error.message, new RegExp(`'${a}' and '${b}' both give the first frame`));
        assert.match(error.message, /Send only one of/);
      }
    }
  });

  it('inline media whose bytes are another format than the declared type is a 400 saying what the bytes are, before any task exists', async () => {
    const inline = (type: string, bytes: Buffer) => `data:${type};base64,${bytes.toString('base64')}`;
    const png = await solidImage(work.dir, 'red', 'red.png', '1280x720');
    const jpeg = await solidImage(work.dir, 'red', 'red.jpg', '1280x720');
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      ['JPEG bytes declared PNG', { model: 'veo3.1-fast', prompt: 'x', image: inline('image/png', jpeg) }, 'image', /declares 'image\/png' but its bytes are image\/jpeg/],
      // Quoted as declared, not under the registered name the gateway would send it by.
      ['PNG bytes declared image/jpg', { model: 'veo3.1-fast', prompt: 'x', image: inline('image/jpg', png) }, 'image', /declares 'image\/jpg' but its bytes are image\/png/],
      ['a video in an image field', { model: 'seedance-2.0', prompt: 'x', image_url: inline('video/mp4', MP4_BYTES) }, 'image_url', /declares 'video\/mp4', which is not an image/],
      [
        'the second reference image',
        { model: 'seedance-2.0', prompt: 'x', reference_images: [inline('image/png', png), inline('image/webp', jpeg)] },
        'reference_images[1]',
        /declares 'image\/webp' but its bytes are image\/jpeg/,
      ],
      ['PNG bytes declared as a video', { model: 'kling-video-o1-std', operation: 'video-to-video', prompt: 'x', video_url: inline('video/mp4', png) }, 'video_url', /declares 'video\/mp4' but its bytes are image\/png/],
    ];
    const tasksBefore = ((await (await gw.api('/v1/tasks?limit=100')).json()) as { data: unknown[] }).data.length;
    for (const [what, body, param, message] of cases) {
      const error = await refused(body);
      assert.deepEqual([error.code, error.param], ['media_type_mismatch', param], `${what}: ${error.message}`);
      assert.match(error.message, message, what);
      assert.match(error.message, /Declare the type its bytes really have/, what);
    }
    assert.equal(((await (await gw.api('/v1/tasks?limit=100')).json()) as { data: unknown[] }).data.length, tasksBefore, 'no task was created');

    // Real files under their usual spellings are taken.
    for (const image of [inline('image/png', png), inline('image/jpeg', jpeg), inline('image/jpg', jpeg), inline('application/octet-stream', png)]) {
      const res = await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', prompt: 'x', image } });
      assert.equal(res.status, 200, `${image.slice(0, 30)}: ${await res.text()}`);
    }
    // Bytes of no format recognised from the head (an old QuickTime layout, an MP3 with junk first, …) are the engine's probe's to judge.
    const unknown = Buffer.from('no format recognised from these first bytes');
    for (const body of [
      { model: 'veo3.1-fast', prompt: 'x', image_url: inline('image/png', unknown) },
      { model: 'kling-video-o1-std', operation: 'video-to-video', prompt: 'x', video_url: inline('video/mp4', unknown) },
    ]) {
      const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body });
      assert.equal(res.status, 200, `${JSON.stringify(body).slice(0, 80)}: ${await res.text()}`);
    }
  });
  it("an inline image of a type Veo does not take (GIF, BMP) is a 400 naming the field and Google's types, before any task exists", async () => {
    const inline = (type: string, bytes: Buffer) => `data:${type};base64,${bytes.toString('base64')}`;
    const png = await solidImage(work.dir, 'green', 'green.png', '1280x720');
    const gif = Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.alloc(32)]);
    const bmp = Buffer.concat([Buffer.from('BM', 'latin1'), Buffer.alloc(4), Buffer.alloc(4), Buffer.alloc(32)]);
    const allowed = ['image/png', 'image/jpeg', 'image/webp', 'image/heic', 'image/heif'];
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      ['a GIF first frame', { model: 'veo3.1-fast', prompt: 'x', image: inline('image/gif', gif), duration: 4 }, 'image', /image\/gif/],
      ['a BMP first frame', { model: 'veo3.1', prompt: 'x', image_url: inline('image/bmp', bmp) }, 'image_url', /image\/bmp/],
      ['GIF bytes sent as octet-stream', { model: 'veo3.1-fast', prompt: 'x', image: inline('application/octet-stream', gif), duration: 4 }, 'image', /image\/gif/],
      ['a GIF last frame', { model: 'veo3.1-fast', prompt: 'x', start_image: inline('image/png', png), end_image: inline('image/gif', gif) }, 'end_image', /image\/gif/],
      ['the second reference image', { model: 'veo3.1-fast', prompt: 'x', reference_images: [inline('image/png', png), inline('image/bmp', bmp)], duration: 8 }, 'reference_images[1]', /image\/bmp/],
    ];
    const tasksBefore = ((await (await gw.api('/v1/tasks?limit=100')).json()) as { data: unknown[] }).data.length;
    for (const [what, body, param, type] of cases) {
      const error = await refused(body);
      assert.deepEqual([error.code, error.param, error.allowed_media_types], ['unsupported_media_type', param, allowed], `${what}: ${error.message}`);
      assert.match(error.message, type, what);
      assert.match(error.message, /image\/png, image\/jpeg, image\/webp, image\/heic or image\/heif/, what);
    }
    assert.equal(((await (await gw.api('/v1/tasks?limit=100')).json()) as { data: unknown[] }).data.length, tasksBefore, 'no task was created');
    // Another model's upstream may take a GIF: not Veo's list.
    const seedance = await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'seedance-2.0', prompt: 'x', image_url: inline('image/gif', gif) } });
    assert.equal(seedance.status, 200, await seedance.text());
  });
  it('an inline GIF to a Kling, Sora or Vidu model is a 400 naming the field and the types its adapter sends; a PNG is still taken', async () => {
    const inline = (type: string, bytes: Buffer) => `data:${type};base64,${bytes.toString('base64')}`;
    const png = inline('image/png', await solidImage(work.dir, 'blue', 'blue.png', '1280x720'));
    const gif = Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.alloc(32)]);
    const kling = { model: 'kling-v2.6-pro', prompt: 'x' };
    const sora = { model: 'sora-2', prompt: 'x', duration: 4 };
    const vidu = { model: 'viduq2-pro', operation: 'image-to-video', prompt: 'x', duration: 2 };
    const cases: [string, Record<string, unknown>, string, string[], RegExp][] = [
      ['Kling first frame', { ...kling, image_url: inline('image/gif', gif) }, 'image_url', ['image/png', 'image/jpeg'], /image\/png or image\/jpeg images/],
      ['Kling last frame', { ...kling, start_image: png, end_image: inline('image/gif', gif) }, 'end_image', ['image/png', 'image/jpeg'], /image\/png or image\/jpeg images/],
      ['Kling GIF bytes as octet-stream', { ...kling, image: inline('application/octet-stream', gif) }, 'image', ['image/png', 'image/jpeg'], /image\/png or image\/jpeg images/],
      ['Sora first frame', { ...sora, image_url: inline('image/gif', gif) }, 'image_url', ['image/png', 'image/jpeg', 'image/webp'], /image\/png, image\/jpeg or image\/webp images/],
      ['Vidu first frame', { ...vidu, image_url: inline('image/gif', gif) }, 'image_url', ['image/png', 'image/jpeg', 'image/webp'], /image\/png, image\/jpeg or image\/webp images/],
    ];
    const tasksBefore = ((await (await gw.api('/v1/tasks?limit=100')).json()) as { data: unknown[] }).data.length;
    for (const [what, body, param, allowed, list] of cases) {
      const error = await refused(body);
      assert.deepEqual([error.code, error.param, error.allowed_media_types], ['unsupported_media_type', param, allowed], `${what}: ${error.message}`);
      assert.match(error.message, /image\/gif/, what);
      assert.match(error.message, list, what);
    }
    assert.equal(((await (await gw.api('/v1/tasks?limit=100')).json()) as { data: unknown[] }).data.length, tasksBefore, 'no task was created');
    for (const body of [
      { ...kling, image_url: png },
      { ...kling, start_image: png, end_image: png },
      { ...sora, image_url: png },
      { ...vidu, image_url: png },
    ]) {
      const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body });
      assert.equal(res.status, 200, `${body.model}: ${await res.text()}`);
    }
  });
});
