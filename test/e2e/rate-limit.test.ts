import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InProcessLimits } from '../../src/limits/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';

describe('per-key request rate limit', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ VIDGATE_RATE_LIMIT_RPM: '5' });
  });
  after(async () => gw.close());

  it('answers 429 with Retry-After and X-RateLimit-* once a key uses its minute, without touching other keys', async () => {
    const other = ((await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'other' } })).json()) as any).key as string;
    const id = `/v1/tasks/ldtask_${'0'.repeat(32)}`;
    const seen: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 6; i++) {
      last = await gw.api(id, { key: other });
      seen.push(last.status);
      if (i === 0) {
        assert.equal(last.headers.get('x-ratelimit-limit'), '5');
        assert.equal(last.headers.get('x-ratelimit-remaining'), '4');
        assert.ok(Number(last.headers.get('x-ratelimit-reset')) > Date.now() / 1000);
      }
    }
    assert.deepEqual(seen, [404, 404, 404, 404, 404, 429]);
    const body = (await last!.json()) as any;
    assert.deepEqual(validateAgainst('ApiError', body), []);
    assert.equal(body.error.type, 'rate_limit_exceeded');
    assert.equal(body.error.retryable, true);
    assert.ok(Number(last!.headers.get('retry-after')) >= 1);
    assert.equal(body.error.retry_after, Number(last!.headers.get('retry-after')));
    // The admin key has its own budget.
    assert.equal((await gw.api(id)).status, 404);
    // Public routes are not counted (no key).
    assert.equal((await gw.api('/v1/models', { key: null })).status, 200);
  });
});

describe('in-process request windows', () => {
  it('opens a fresh window each minute (on an injected clock)', () => {
    let now = 1_700_000_000_000;
    const l = new InProcessLimits(() => now);
    assert.equal(l.takeRequest('k', 2).allowed, true);
    now += 1;
    assert.equal(l.takeRequest('k', 2).allowed, true);
    now += 1;
    assert.equal(l.takeRequest('k', 2).allowed, false);
    now = Math.ceil((now + 1) / 60_000) * 60_000;
    assert.equal(l.takeRequest('k', 2).allowed, true);
    assert.equal(l.takeRequest('k', 10).remaining, 8);
  });
});
