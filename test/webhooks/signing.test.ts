import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { isMessageId, newMessageId, newWebhookSecret, signedHeaders } from '../../src/contract/webhook-signature.js';

describe('Standard Webhooks signing', () => {
  const secret = newWebhookSecret();
  const body = JSON.stringify({ id: 'ldtask_0123456789abcdef0123456789abcdef', status: 'completed', note: 'ünïcode ✓' });
  const now = () => Math.floor(Date.now() / 1000);

  it('produces headers the standardwebhooks library verifies', () => {
    const id = newMessageId();
    const headers = signedHeaders(secret, id, now(), body);
    assert.equal(headers['webhook-id'], id);
    assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
  });

  it('a changed body, id or timestamp no longer verifies', () => {
    const id = newMessageId();
    const ts = now();
    const headers = signedHeaders(secret, id, ts, body);
    const wh = new Webhook(secret);
    assert.throws(() => wh.verify(body.replace('completed', 'failed'), headers), /signature/i);
    assert.throws(() => wh.verify(body, { ...headers, 'webhook-id': newMessageId() }), /signature/i);
    assert.throws(() => wh.verify(body, { ...headers, 'webhook-timestamp': String(ts - 1) }), /signature/i);
  });

  it('another secret does not verify', () => {
    const headers = signedHeaders(secret, newMessageId(), now(), body);
    assert.throws(() => new Webhook(newWebhookSecret()).verify(body, headers), /signature/i);
  });

  it('secrets are whsec_ + base64 of 24 random bytes, message ids msg_ + 32 hex', () => {
    const s = newWebhookSecret();
    assert.match(s, /^whsec_[A-Za-z0-9+/]{32}$/);
    assert.equal(Buffer.from(s.slice(6), 'base64').length, 24);
    assert.notEqual(s, newWebhookSecret());
    assert.ok(isMessageId(newMessageId()));
    assert.ok(!isMessageId('msg_../../etc'));
  });
});
