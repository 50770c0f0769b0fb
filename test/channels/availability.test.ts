/**
 * The availability checker against real upstream model lists (the Gemini and xAI simulators through
 * their real adapters): a model the list no longer names is unavailable with the reason; a list that
 * cannot be read changes nothing; a channel never read counts as available ("unchecked").
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultCatalog } from '../../src/catalog/index.js';
import { AvailabilityChecker } from '../../src/channels/availability.js';
import { ChannelSet } from '../../src/channels/channel-set.js';
import { startGoogleSimulator, type GoogleSimulator } from '../../src/sandbox/google/index.js';
import { startXaiSimulator, type XaiSimulator } from '../../src/sandbox/xai/index.js';
import { tempDir } from '../sandbox/media-helpers.js';

const catalog = defaultCatalog();
const spec = (id: string) => catalog.get(id)!;
const warnings: string[] = [];
const log = { info: () => undefined, warn: (_: object, msg: string) => void warnings.push(msg) };

let xai: XaiSimulator;
let google: GoogleSimulator;
let cleanup: Array<() => Promise<void>> = [];

before(async () => {
  const [a, b] = await Promise.all([tempDir('vidgate-avail-xai-'), tempDir('vidgate-avail-google-')]);
  cleanup = [a.cleanup, b.cleanup];
  xai = await startXaiSimulator({ apiKey: 'xai-availabilityKey-0123456789', workDir: a.dir, speed: 50 });
  google = await startGoogleSimulator({ apiKey: 'AIzaAvailabilityKey0123456789', workDir: b.dir, speed: 50 });
});
after(async () => {
  await Promise.all([xai?.close(), google?.close()]);
  await Promise.all(cleanup.map((c) => c()));
});

function checker(): AvailabilityChecker {
  return new AvailabilityChecker({
    channels: new ChannelSet([
      { id: 'xai', provider: 'xai', protocol: 'xai', endpoint: { credentials: { XAI_API_KEY: xai.apiKey }, baseUrl: xai.baseUrl }, models: null, priority: 0, weight: 1 },
      { id: 'gemini-api', provider: 'google', protocol: 'gemini-api', endpoint: { credentials: { GEMINI_API_KEY: google.apiKey }, baseUrl: google.baseUrl }, models: null, priority: 0, weight: 1 },
    ]),
    catalog,
    intervalMs: 60_000,
    log,
  });
}

describe('availability from the upstream model lists', () => {
  it('before any list was read every model is available ("unchecked"); after, listed models are available', async () => {
    const c = checker();
    assert.equal(c.view(spec('grok-imagine-video')).status, 'unchecked');
    assert.equal(c.unavailableReason(spec('grok-imagine-video')), null);
    await c.checkNow();
    assert.equal(c.view(spec('grok-imagine-video')).status, 'available');
    assert.equal(c.view(spec('veo3.1')).status, 'available', 'Gemini models.list names veo-3.1-generate-preview');
    // Providers without a model list are never checked.
    assert.equal(c.view(spec('kling-v2.6-pro')).status, 'unchecked');
    await c.stop();
  });

  it('a model the list no longer names is unavailable, with the upstream id and when it was checked', async () => {
    const c = checker();
    google.faults.retireModel('veo-3.1-fast-generate-preview');
    try {
      await c.checkNow();
      const reason = c.unavailableReason(spec('veo3.1-fast'));
      assert.match(reason ?? '', /'google' upstream \(channel gemini-api\) no longer lists 'veo-3\.1-fast-generate-preview'/);
      const view = c.view(spec('veo3.1-fast'));
      assert.equal(view.status, 'unavailable');
      assert.ok(typeof view.checked_at === 'number' && view.checked_at > 0);
      // The other Veo models are still listed.
      assert.equal(c.view(spec('veo3.1')).status, 'available');
      assert.ok(warnings.some((w) => /no longer names these models/.test(w)));
    } finally {
      google.faults.reset();
      await c.stop();
    }
  });

  it('a list that cannot be read keeps the last good answer', async () => {
    const c = checker();
    xai.faults.retireModel('grok-imagine-video');
    try {
      await c.checkNow();
      assert.equal(c.view(spec('grok-imagine-video')).status, 'unavailable');
      xai.faults.reset();
      xai.faults.serverErrorNext(1, { status: 503, only: 'models' });
      await c.checkNow();
      assert.equal(c.view(spec('grok-imagine-video')).status, 'unavailable', 'a failed read does not flip it back');
      assert.ok(warnings.some((w) => /could not read the upstream model list/.test(w)));
      await c.checkNow();
      assert.equal(c.view(spec('grok-imagine-video')).status, 'available', 'the next good read does');
    } finally {
      xai.faults.reset();
      await c.stop();
    }
  });
});
