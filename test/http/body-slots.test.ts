/** The large-body slots: a bound for all keys, a share for each, freed slots to the key holding fewest. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Slots } from '../../src/http/body-slots.js';

const LONG = 60_000;

/** Whether `p` has settled by the time already-queued callbacks have run. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
}

describe('Slots', () => {
  it('one key holds at most size − 1 slots, so another key is granted one at once', async () => {
    const slots = new Slots(4);
    const a = await Promise.all([slots.acquire('a', LONG), slots.acquire('a', LONG), slots.acquire('a', LONG)]);
    assert.ok(a.every((r) => r !== null));
    const fourthA = slots.acquire('a', LONG);
    // (granted below, so no timer is left behind)
    assert.equal(await settled(fourthA), false, "a's fourth waits though a slot is free");
    assert.deepEqual(slots.counts, { reading: 3, waiting: 1 });
    const b = await slots.acquire('b', LONG);
    assert.ok(b, 'b takes the free slot at once');
    assert.deepEqual(slots.counts, { reading: 4, waiting: 1 });
    // b's release frees a slot, but a still holds its share: a's fourth keeps waiting.
    b();
    assert.equal(await settled(fourthA), false);
    a[0]!();
    assert.ok(await fourthA, "a's fourth is granted once a holds fewer than its share");
  });

  it('a freed slot goes to the waiting key that holds the fewest', async () => {
    const slots = new Slots(3);
    const leftovers = new AbortController();
    const a1 = (await slots.acquire('a', LONG))!;
    await slots.acquire('a', LONG);
    const b1 = (await slots.acquire('b', LONG))!;
    // In this order: a (holding its share, 2), b (holding 1), c (holding none).
    const a3 = slots.acquire('a', LONG, leftovers.signal);
    const b2 = slots.acquire('b', LONG);
    const c = slots.acquire('c', LONG);
    assert.deepEqual(slots.counts, { reading: 3, waiting: 3 });
    a1();
    assert.ok(await c, 'c (holding none) before b and a (holding one each), though it came last');
    assert.equal(await settled(b2), false);
    b1();
    assert.ok(await b2, 'b (holding none now) before a (holding one), though a came first');
    assert.equal(await settled(a3), false);
    leftovers.abort();
    assert.equal(await a3, null);
  });

  it('the limit holds for one key when size is 1; a waiter leaves on timeout or abort', async () => {
    const slots = new Slots(1);
    const first = (await slots.acquire('a', LONG))!;
    assert.equal(await slots.acquire('a', 20), null, 'timed out');
    const ctl = new AbortController();
    const aborted = slots.acquire('b', LONG, ctl.signal);
    ctl.abort();
    assert.equal(await aborted, null);
    assert.deepEqual(slots.counts, { reading: 1, waiting: 0 });
    const next = slots.acquire('b', LONG);
    first();
    first();
    assert.ok(await next, 'granted once released (a second release is a no-op)');
    assert.deepEqual(slots.counts, { reading: 1, waiting: 0 });
  });
});

describe('large-body slots behind a slow key lookup', () => {
  it('a client that leaves while its key is looked up holds no slot', async () => {
    const Fastify = (await import('fastify')).default;
    const net = await import('node:net');
    const { boundLargeBodies } = await import('../../src/http/body-slots.js');
    const app = Fastify();
    app.decorateRequest('apiKey', null);
    // As registerAuth on a cache miss with PostgreSQL or Redis: the key is known only after real I/O.
    app.addHook('onRequest', async (req) => {
      await new Promise((r) => setTimeout(r, 100));
      (req as unknown as { apiKey: { id: string } }).apiKey = { id: 'key_a' };
    });
    const slots = boundLargeBodies(app, 4);
    app.post('/v1/videos/generations', { bodyLimit: 40 * 1024 * 1024 }, async () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = app.server.address() as { port: number };
      for (let i = 0; i < 3; i++) {
        const socket = net.connect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        socket.write('POST /v1/videos/generations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n\r\n');
        // Gone while the key is looked up.
        setTimeout(() => socket.destroy(), 20);
      }
      await new Promise((r) => setTimeout(r, 600));
      assert.deepEqual(slots.counts, { reading: 0, waiting: 0 }, 'every slot is free again');
    } finally {
      await app.close();
    }
  });
});
