/**
 * Veo through Vertex AI, the whole way: a gateway configured with nothing but a service-account key
 * (made by the Vertex simulator, its token_uri the simulator's token endpoint) completes a silent
 * veo3.1-fast task — rendered without an audio stream upstream (generateAudio:false), priced at the
 * silent rate — and keeps working when its access token expires upstream. A gateway with only the
 * Gemini API (which always renders sound) serves output_audio=false by removing the audio track.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { probeTaskVideo } from '../helpers/e2e-provider.js';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';
import { startGoogleSimulator, type GoogleSimulator } from '../../src/sandbox/google/index.js';
import { startVertexSimulator, type VertexSimulator } from '../../src/sandbox/vertex/index.js';
import { tempDir } from '../sandbox/media-helpers.js';

// Polls follow the model's typical time: the simulator runs 20x faster than Vertex.
const FAST_POLLS = JSON.stringify({ 'veo3.1-fast': { typical_seconds: 2 } });

describe('Veo through a Vertex AI channel (service account only)', () => {
  let sim: VertexSimulator;
  let gw: TestGateway;
  let cleanup: () => Promise<void>;
  before(async () => {
    const tmp = await tempDir('vidgate-vertex-e2e-');
    cleanup = tmp.cleanup;
    sim = await startVertexSimulator({ workDir: tmp.dir, speed: 20 });
    gw = await startTestGateway({
      VIDGATE_SANDBOX: '0',
      VERTEX_SERVICE_ACCOUNT_JSON: sim.serviceAccountJson,
      VERTEX_BASE_URL: sim.baseUrl,
      VERTEX_STORAGE_BASE_URL: sim.baseUrl,
      VIDGATE_CATALOG_OVERRIDES: FAST_POLLS,
    });
  });
  after(async () => {
    await gw.close();
    await sim.close();
    await cleanup();
  });

  async function newKey(): Promise<{ id: string; key: string }> {
    const created = (await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'vertex' } })).json()) as { id: string; key: string };
    assert.equal((await gw.api(`/v1/admin/keys/${created.id}`, { method: 'PATCH', json: { balance_usd: 5 } })).status, 200);
    return created;
  }

  it('veo3.1-fast with output_audio=false completes with no audio stream, charged at the silent rate', async () => {
    const k = await newKey();
    const creates = sim.stats.creates;
    const res = await gw.api('/v1/videos/generations', { method: 'POST', key: k.key, json: { model: 'veo3.1-fast', prompt: 'a lighthouse, no sound', duration: 4, output_audio: false } });
    assert.equal(res.status, 200, await res.clone().text());
    const done = await waitForTask(gw, ((await res.json()) as { id: string }).id, { key: k.key });
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.equal(sim.stats.creates, creates + 1, 'submitted once, to Vertex AI');
    const probe = await probeTaskVideo(gw, done, 'vertex-silent');
    assert.equal(probe.hasAudio, false, 'rendered silent upstream');
    assert.ok(Math.abs(probe.duration - 4) < 0.2, `4 s, got ${probe.duration}`);
    const usage = (await (await gw.api('/v1/usage', { key: k.key })).json()) as { total_cost_usd: number };
    assert.equal(usage.total_cost_usd, 0.32, 'Vertex silent rate: $0.08/s × 4 s (with audio it is $0.40)');
  });

  it('the same request with sound keeps its audio stream and costs the audio rate', async () => {
    const k = await newKey();
    const res = await gw.api('/v1/videos/generations', { method: 'POST', key: k.key, json: { model: 'veo3.1-fast', prompt: 'a lighthouse, with waves', duration: 4 } });
    const done = await waitForTask(gw, ((await res.json()) as { id: string }).id, { key: k.key });
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.equal((await probeTaskVideo(gw, done, 'vertex-sound')).hasAudio, true);
    const usage = (await (await gw.api('/v1/usage', { key: k.key })).json()) as { total_cost_usd: number };
    assert.equal(usage.total_cost_usd, 0.4);
  });

  it('an access token expired upstream is replaced transparently: the task completes after one new grant', async () => {
    const res = await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', prompt: 'a kite over dunes', duration: 4, output_audio: false } });
    const id = ((await res.json()) as { id: string }).id;
    const grants = sim.stats.tokenGrants;
    sim.faults.expireTokens();
    const done = await waitForTask(gw, id);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.equal(sim.stats.tokenGrants, grants + 1, 'one new token for every call after the expiry');
  });

  it('never shows the private key or an access token in task bodies or logs', async () => {
    const key = JSON.parse(sim.serviceAccountJson) as { private_key: string };
    const pem = key.private_key.split('\n')[1];
    const logs = gw.logs.join('\n');
    assert.ok(!logs.includes(pem), 'private key in logs');
    assert.ok(!/ya29\./.test(logs), 'access token in logs');
  });
});

describe('Veo 3 without audio on a gateway with only the Gemini API', () => {
  let gw: TestGateway;
  let gemini: GoogleSimulator;
  let cleanup: () => Promise<void>;
  before(async () => {
    const tmp = await tempDir('vidgate-gemini-only-');
    cleanup = tmp.cleanup;
    const apiKey = 'AIza-gemini-only-test-key-000000000000';
    gemini = await startGoogleSimulator({ apiKey, workDir: tmp.dir, speed: 20, port: 0 });
    gw = await startTestGateway({ VIDGATE_SANDBOX: '0', GEMINI_API_KEY: apiKey, GOOGLE_BASE_URL: gemini.baseUrl, VIDGATE_CATALOG_OVERRIDES: FAST_POLLS });
  });
  after(async () => {
    await gw.close();
    await gemini.close();
    await cleanup();
  });

  it('completes with the audio track removed from the stored video (the Gemini API has no switch)', async () => {
    const res = await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', prompt: 'quiet', duration: 4, output_audio: false } });
    assert.equal(res.status, 200, await res.clone().text());
    const done = await waitForTask(gw, ((await res.json()) as { id: string }).id);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    const probe = await probeTaskVideo(gw, done, 'gemini-stripped');
    assert.equal(probe.hasAudio, false, 'the audio track was removed');
    assert.ok(probe.duration > 0.5, 'the video itself is intact');
  });

  it('the Pricing API shows the silent and the audio rates (the default output, with audio, is the scalar price)', async () => {
    const res = await gw.api('/v1/models/veo3.1-fast/pricing');
    const body = (await res.json()) as {
      pricing_details: { by_resolution: Record<string, string>; with_audio_by_resolution: Record<string, string> };
      scalar_pricing: { price_per_second: string };
      pricing_summary: { text?: string };
    };
    assert.deepEqual(validateAgainst('ModelPricingResponse', body), []);
    assert.deepEqual(body.pricing_details.by_resolution, { '720p': '0.08', '1080p': '0.10', '4k': '0.25' });
    assert.deepEqual(body.pricing_details.with_audio_by_resolution, { '720p': '0.10', '1080p': '0.12', '4k': '0.30' });
    assert.equal(body.scalar_pricing.price_per_second, '0.10');
  });
});
