/**
 * Sora through Azure OpenAI against the simulator's Azure dialect: the channel authenticates with the
 * resource's API key (`api-key` header) or with a Microsoft Entra ID access token
 * (`Authorization: Bearer`, AZURE_OPENAI_AD_TOKEN); the API key sent as a Bearer token is refused,
 * as Azure refuses it. The official openai SDK pointed at the v1 API with the token (Microsoft's
 * documented Entra ID setup) is accepted too, so the simulator answers what the SDK sends.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import type { ResolvedVideoRequest } from '../../src/contract/video-request.js';
import { openaiManifest } from '../../src/providers/openai/manifest.js';
import { UpstreamError, type AdapterContext, type ProviderAdapter } from '../../src/providers/types.js';
import { startOpenAISimulator, type OpenAISimulator } from '../../src/sandbox/openai/index.js';
import { tempDir } from '../sandbox/media-helpers.js';

const KEY = '0123456789abcdef0123456789abcdef';
// Entra ID access tokens are JWTs (header.payload.signature).
const ENTRA = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2NvZ25pdGl2ZXNlcnZpY2VzLmF6dXJlLmNvbSJ9.c2lnbmF0dXJl';

const ctx: AdapterContext = {
  loadMedia: async () => {
    throw new Error('not used: text-to-video');
  },
  probeVideo: async () => {
    throw new Error('not used by the Sora adapter');
  },
};

const request: ResolvedVideoRequest = {
  model: 'sora-2',
  operation: 'text-to-video',
  operation_explicit: true,
  prompt: 'A paper boat on a pond.',
  duration: 4,
  resolution: '720p',
  aspect_ratio: '16:9',
  output_audio: true,
  upstream_model: 'sora-2',
  sent: ['model', 'prompt', 'duration'],
};

describe('Azure OpenAI channel: API key or Entra ID token', () => {
  let sim: OpenAISimulator;
  let cleanup: () => Promise<void>;
  const azure = (credentials: Record<string, string>): ProviderAdapter => openaiManifest.protocols['azure-openai'].create({ credentials, baseUrl: sim.baseUrl });

  before(async () => {
    const tmp = await tempDir('vidgate-azure-');
    cleanup = tmp.cleanup;
    sim = await startOpenAISimulator({ apiKey: KEY, entraToken: ENTRA, dialect: 'azure', speed: 60, workDir: join(tmp.dir, 'work') });
  });
  after(async () => {
    await sim.close();
    await cleanup();
  });

  for (const [how, credentials] of [
    ['the api-key header', { AZURE_OPENAI_API_KEY: KEY }],
    ['an Entra ID token as Bearer', { AZURE_OPENAI_AD_TOKEN: ENTRA }],
  ] as const) {
    it(`creates and polls with ${how}`, async () => {
      const adapter = azure(credentials);
      const creates = sim.stats.creates;
      const { upstreamId } = await adapter.submit({ taskId: 'ldtask_00000000000000000000000000000000', request }, ctx);
      assert.equal(sim.stats.creates, creates + 1);
      const polled = await adapter.poll(upstreamId, ctx);
      assert.ok(['queued', 'running', 'succeeded'].includes(polled.state), JSON.stringify(polled));
    });
  }

  it('a wrong token, or the API key sent as a Bearer token, is an auth error and creates nothing', async () => {
    const creates = sim.stats.creates;
    for (const credentials of [{ AZURE_OPENAI_AD_TOKEN: `${ENTRA}x` }, { AZURE_OPENAI_AD_TOKEN: KEY }]) {
      await assert.rejects(azure(credentials).submit({ taskId: 'ldtask_00000000000000000000000000000001', request }, ctx), (err: unknown) => err instanceof UpstreamError && err.kind === 'auth');
    }
    assert.equal(sim.stats.creates, creates);
  });

  it('the official openai SDK with the Entra ID token on the v1 API is accepted', async () => {
    const client = new OpenAI({ baseURL: `${sim.baseUrl}/openai/v1`, apiKey: ENTRA, maxRetries: 0 });
    const video = await client.videos.create({ model: 'sora-2', prompt: 'A kite', seconds: '4' });
    assert.equal(video.object, 'video');
  });
});
