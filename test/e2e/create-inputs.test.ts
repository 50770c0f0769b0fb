/**
 * Inputs a create must refuse before the 200, over the real gateway: an input given under two of its
 * names, and inline media whose bytes are not what their data: URL declares.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';

const IMG = 'https://example.com/frame.png';

describe('create inputs refused before the task exists', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(async () => gw?.close());

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
});
