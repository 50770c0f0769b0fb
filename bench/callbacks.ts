/**
 * `npm run bench:callbacks`: the same tasks on the callback-capable providers (Kling, Vidu, MiniMax,
 * Seedance, OpenAI) at real job times (VIDGATE_SANDBOX_SPEED=1), once polling only and once with
 * VIDGATE_CALLBACK_BASE_URL, each gateway with simulators of its own in their own processes, one
 * run after the other. Reports upstream polls per task and the delay from each upstream job's end to the
 * task's `completed` (p50, max), per provider and overall.
 *   BENCH_CALLBACK_TASKS tasks per provider per run (default 8).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSecret } from '../src/keys/keys.js';
import { formatRun, measureCallbackRun, percentile, type CallbackProvider, type RunFigures, type SimCounters } from '../test/helpers/callback-run.js';
import { freePort, startGatewayProcess, startSimProcess } from '../test/helpers/processes.js';

const perProvider = Number(process.env.BENCH_CALLBACK_TASKS ?? 8);

async function oneRun(work: string, name: string, callbacks: boolean): Promise<{ run: () => Promise<RunFigures>; stop: () => Promise<void> }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const sims = await startSimProcess({ speed: 1, dataDir: path.join(work, `${name}-sim`), env: callbacks ? { VIDGATE_CALLBACK_BASE_URL: base } : {} });
  const adminKey = generateSecret();
  const dataDir = path.join(work, `${name}-gw`);
  const gw = await startGatewayProcess({
    ...sims.env,
    PORT: String(port),
    VIDGATE_DATA_DIR: dataDir,
    VIDGATE_ADMIN_KEY: adminKey,
    LOG_LEVEL: 'warn',
    ...(callbacks ? { VIDGATE_CALLBACK_BASE_URL: base } : {}),
  });
  const stats = async () => (await (await fetch(`${sims.controlUrl}/stats`)).json()) as Record<CallbackProvider, SimCounters>;
  return {
    run: () => measureCallbackRun({ url: gw.url, adminKey, dataDir, stats }, perProvider),
    stop: async () => {
      await gw.stop();
      await sims.stop();
    },
  };
}

export async function runCallbacksBench(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-callbacks-'));
  console.log(`${perProvider} tasks per provider per run, simulators at speed 1 (real job times: 20–120 s)…`);
  // One run after the other, so neither measures the other's load.
  const measure = async (name: string, callbacks: boolean) => {
    const r = await oneRun(work, name, callbacks);
    try {
      return await r.run();
    } finally {
      await r.stop();
    }
  };
  try {
    const polling = await measure('polling', false);
    console.log(formatRun('Polling only', polling));
    const callbacks = await measure('callbacks', true);
    console.log(formatRun('With callbacks (VIDGATE_CALLBACK_BASE_URL)', callbacks));
    const ok = callbacks.all.pollsPerTask <= 1.3 && (callbacks.all.delaysMs.at(-1) ?? Infinity) <= 1000 && callbacks.all.completed === callbacks.all.tasks;
    console.log(
      `Targets with callbacks: ≤ 1.3 polls per task (${callbacks.all.pollsPerTask.toFixed(2)}), each within 1 s of its job's end (max ${((callbacks.all.delaysMs.at(-1) ?? NaN) / 1000).toFixed(2)} s, p50 ${(percentile(callbacks.all.delaysMs, 50) / 1000).toFixed(2)} s): ${ok ? 'met' : 'NOT met'}`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runCallbacksBench();
