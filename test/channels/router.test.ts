/** Route order (priority, then weight) and which channels may take a request. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChannelSet } from '../../src/channels/channel-set.js';
import type { ChannelConfig } from '../../src/channels/channel.js';
import { routeOrder } from '../../src/channels/router.js';
import type { ResolvedVideoRequest } from '../../src/contract/video-request.js';
import { PRE_CHANNEL_PIN } from '../../src/store/types.js';

/** A seeded generator, so the shares below are the same on every run. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

describe('route order', () => {
  it('higher priority always first; equal priorities share by weight', () => {
    const channels = [
      { id: 'backup', priority: 0, weight: 100 },
      { id: 'a', priority: 5, weight: 3 },
      { id: 'b', priority: 5, weight: 1 },
    ];
    const random = seeded(7);
    const firsts = { a: 0, b: 0, backup: 0 } as Record<string, number>;
    for (let i = 0; i < 4000; i++) {
      const order = routeOrder(channels, random).map((c) => c.id);
      assert.equal(order[2], 'backup', 'a lower priority is only ever a fallback');
      assert.deepEqual([...order].sort(), ['a', 'b', 'backup']);
      firsts[order[0]]++;
    }
    const share = firsts.a / 4000;
    assert.ok(share > 0.72 && share < 0.78, `weight 3 of 4 comes first about 75% of the time, got ${share}`);
  });
});

const endpoint = { credentials: { OPENAI_API_KEY: 'sk-x' }, baseUrl: 'http://127.0.0.1:9' };
const channel = (c: Partial<ChannelConfig> & { id: string }): ChannelConfig => ({ provider: 'openai', protocol: 'openai', endpoint, models: null, priority: 0, weight: 1, ...c });
const request = { upstream_model: 'sora-2' } as ResolvedVideoRequest;

describe('channel set', () => {
  const set = new ChannelSet([
    channel({ id: 'all' }),
    channel({ id: 'only-pro', models: { 'sora-2-pro': 'my-pro-deployment' } }),
    channel({ id: 'cn', provider: 'seedance', protocol: 'volcengine-ark', endpoint: { credentials: { VOLCENGINE_ARK_API_KEY: 'v' }, baseUrl: null } }),
  ]);

  it('offers a model only on channels that serve it, under each channel’s upstream id', () => {
    const two = set.candidates({ provider: 'openai', model: 'sora-2', request });
    assert.deepEqual(two.ok && two.channels.map((c) => c.id), ['all']);
    const pro = set.candidates({ provider: 'openai', model: 'sora-2-pro', request });
    assert.deepEqual(pro.ok && pro.channels.map((c) => c.id), ['all', 'only-pro']);
    assert.equal(set.requestFor(set.get('only-pro')!, { upstream_model: 'sora-2-pro' } as ResolvedVideoRequest, 'sora-2-pro').upstream_model, 'my-pro-deployment');
    // Volcengine spells the same models its own way.
    assert.equal(set.requestFor(set.get('cn')!, { upstream_model: 'dreamina-seedance-2-0-260128' } as ResolvedVideoRequest, 'seedance-2.0').upstream_model, 'doubao-seedance-2-0-260128');
    const none = set.candidates({ provider: 'kling', model: 'kling-v2.6-std', request });
    assert.equal(none.ok, false);
    assert.match(!none.ok ? none.reason : '', /'kling' provider is not built into this gateway yet or has no credentials configured/);
  });

  it('a task is pinned to its channel; one stored before channels to its provider’s default', () => {
    assert.equal(set.pinned({ provider: 'openai', channelId: 'only-pro' })?.id, 'only-pro');
    assert.equal(set.pinned({ provider: 'openai', channelId: 'gone' }), undefined);
    assert.equal(set.pinned({ provider: 'openai', channelId: null }), undefined, 'null: nothing was sent, no pin');
    const legacy = new ChannelSet([channel({ id: 'openai' }), channel({ id: 'azure-openai', protocol: 'azure-openai', endpoint: { credentials: { AZURE_OPENAI_API_KEY: 'k' }, baseUrl: 'http://127.0.0.1:9' } })]);
    assert.equal(legacy.pinned({ provider: 'openai', channelId: PRE_CHANNEL_PIN })?.id, 'openai');
    const pool = new ChannelSet([channel({ id: 'openai-1' }), channel({ id: 'openai-2' })]);
    assert.equal(pool.pinned({ provider: 'openai', channelId: PRE_CHANNEL_PIN })?.id, 'openai-1');
    // Kling sent through its only configured kind (the pair) before channels: that one.
    const kling = new ChannelSet([channel({ id: 'kling-jwt', provider: 'kling', protocol: 'kling-jwt', endpoint: { credentials: { KLING_ACCESS_KEY: 'a', KLING_SECRET_KEY: 's' }, baseUrl: null } })]);
    assert.equal(kling.pinned({ provider: 'kling', channelId: PRE_CHANNEL_PIN })?.id, 'kling-jwt');
  });
});
