/** Shared scaffolding for the adapter ↔ simulator tests in test/providers/. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { UpstreamError, type AdapterContext, type PollResult, type ProviderAdapter } from '../../src/providers/types.js';
import { tempDir } from '../sandbox/media-helpers.js';

/** A context for providers that fetch inputs themselves: any call to it fails the test. */
export function passThroughContext(loadMediaMessage: string, probeVideoMessage = 'not used'): AdapterContext {
  return {
    loadMedia: async () => assert.fail(loadMediaMessage),
    probeVideo: async () => assert.fail(probeVideoMessage),
  };
}

/** Polls an upstream task every 20 ms until it is neither queued nor running (20 s deadline). */
export async function pollAdapterUntilTerminal(adapter: ProviderAdapter, ctx: AdapterContext, id: string): Promise<PollResult> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await adapter.poll(id, ctx);
    if (r.state !== 'queued' && r.state !== 'running') return r;
    assert.ok(Date.now() < deadline);
    await new Promise((res) => setTimeout(res, 20));
  }
}

/** Awaits a promise that must reject with an UpstreamError whose message never contains `key`. */
export async function rejectedWithout(key: string, p: Promise<unknown>): Promise<UpstreamError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof UpstreamError, String(err));
    assert.ok(!err.message.includes(key), 'the key never appears in an error');
    return err;
  }
  assert.fail('expected a rejection');
}

/** A temp dir, a simulator working in `<dir>/work`, and an adapter pointed at it. */
export async function startAdapterSim<S>(
  prefix: string,
  startSim: (workDir: string) => Promise<S>,
  makeAdapter: (sim: S) => ProviderAdapter,
): Promise<{ sim: S; adapter: ProviderAdapter; dir: string; cleanup: () => Promise<void> }> {
  const { dir, cleanup } = await tempDir(prefix);
  const sim = await startSim(join(dir, 'work'));
  return { sim, adapter: makeAdapter(sim), dir, cleanup };
}
