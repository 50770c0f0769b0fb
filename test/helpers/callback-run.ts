/**
 * One measured run of tasks on the callback-capable providers (bench/callbacks.ts and its e2e
 * test): creates the same tasks on a gateway, waits for them all, and reports per provider the
 * upstream polls per task (the simulators' counters) and the delay from the upstream job's end (the
 * simulator's note of when a poll would first have seen it) to the task's `completed` (completed_ms
 * in the gateway's SQLite file, read-only).
 */
import path from 'node:path';
import SQLite from 'better-sqlite3';

export const CALLBACK_PROVIDERS = ['kling', 'vidu', 'minimax', 'seedance', 'openai'] as const;
export type CallbackProvider = (typeof CALLBACK_PROVIDERS)[number];

/** One request per provider; `i` makes prompts differ (and so the simulated job times). */
export function callbackCase(provider: CallbackProvider, i: number): Record<string, unknown> {
  const prompt = `callback run ${i}: a paper boat drifts down a rainy street`;
  switch (provider) {
    case 'kling':
      return { model: 'kling-v2.5-turbo-std', prompt };
    case 'vidu':
      return { model: 'viduq2', operation: 'text-to-video', prompt, duration: 1, aspect_ratio: '4:3' };
    case 'minimax':
      return { model: 'hailuo-2.3-standard', prompt };
    case 'seedance':
      return { model: 'seedance-1.5-pro', operation: 'text-to-video', prompt, duration: 4, resolution: '480p' };
    case 'openai':
      return { model: 'sora-2', prompt, duration: 4 };
  }
}

export interface SimCounters {
  polls: number;
  callbacks?: { finishedAt: Record<string, number> };
}

export interface ProviderFigures {
  tasks: number;
  completed: number;
  pollsPerTask: number;
  /** ms from the upstream job's end to `completed`, sorted. */
  delaysMs: number[];
}

export interface RunFigures {
  byProvider: Record<CallbackProvider, ProviderFigures>;
  all: ProviderFigures;
  wallSeconds: number;
}

export interface RunTarget {
  url: string;
  adminKey: string;
  /** The gateway's VIDGATE_DATA_DIR (its SQLite file is read for completed_ms and upstream ids). */
  dataDir: string;
  /** Every callback-capable simulator's counters now. */
  stats(): Promise<Record<CallbackProvider, SimCounters>>;
}

export const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);

export async function measureCallbackRun(gw: RunTarget, perProvider: number, timeoutMs = 15 * 60_000): Promise<RunFigures> {
  const auth = { authorization: `Bearer ${gw.adminKey}`, 'content-type': 'application/json' };
  const before = await gw.stats();
  const t0 = Date.now();
  const created: { provider: CallbackProvider; id: string }[] = [];
  for (const provider of CALLBACK_PROVIDERS) {
    for (let i = 0; i < perProvider; i++) {
      const res = await fetch(`${gw.url}/v1/videos/generations`, { method: 'POST', headers: auth, body: JSON.stringify(callbackCase(provider, i)) });
      if (res.status !== 200) throw new Error(`${provider} create: ${res.status} ${await res.text()}`);
      created.push({ provider, id: ((await res.json()) as { id: string }).id });
    }
  }
  const pending = new Set(created.map((c) => c.id));
  const deadline = Date.now() + timeoutMs;
  while (pending.size > 0) {
    if (Date.now() > deadline) throw new Error(`${pending.size} tasks not finished in time`);
    await new Promise((r) => setTimeout(r, 1000));
    for (const id of [...pending]) {
      const task = (await (await fetch(`${gw.url}/v1/tasks/${id}`, { headers: auth })).json()) as { status: string };
      if (task.status === 'completed' || task.status === 'failed') pending.delete(id);
    }
  }
  const wallSeconds = (Date.now() - t0) / 1000;
  const after = await gw.stats();
  const db = new SQLite(path.join(gw.dataDir, 'vidgate.sqlite'), { readonly: true, fileMustExist: true });
  const rows = new Map(
    (
      db.prepare(`select id, state, upstream_id, completed_ms from tasks where id in (${created.map(() => '?').join(',')})`).all(...created.map((c) => c.id)) as {
        id: string;
        state: string;
        upstream_id: string | null;
        completed_ms: number | null;
      }[]
    ).map((r) => [r.id, r]),
  );
  db.close();
  const figures = (provider: CallbackProvider): ProviderFigures => {
    const mine = created.filter((c) => c.provider === provider);
    const finished = after[provider].callbacks?.finishedAt ?? {};
    const delays: number[] = [];
    let completed = 0;
    for (const c of mine) {
      const row = rows.get(c.id);
      if (row?.state !== 'completed' || row.completed_ms === null || row.upstream_id === null) continue;
      completed++;
      // Upstream ids as the adapters keep them: Kling "kind/id", Vidu "id[:wm]", the rest bare.
      const jobId = Object.keys(finished).find((j) => row.upstream_id === j || row.upstream_id!.endsWith(`/${j}`) || row.upstream_id!.startsWith(`${j}:`));
      if (jobId) delays.push(row.completed_ms - finished[jobId]);
    }
    return { tasks: mine.length, completed, pollsPerTask: (after[provider].polls - before[provider].polls) / mine.length, delaysMs: delays.sort((a, b) => a - b) };
  };
  const byProvider = Object.fromEntries(CALLBACK_PROVIDERS.map((p) => [p, figures(p)])) as Record<CallbackProvider, ProviderFigures>;
  const list = Object.values(byProvider);
  const all: ProviderFigures = {
    tasks: list.reduce((n, f) => n + f.tasks, 0),
    completed: list.reduce((n, f) => n + f.completed, 0),
    pollsPerTask: list.reduce((n, f) => n + f.pollsPerTask * f.tasks, 0) / list.reduce((n, f) => n + f.tasks, 0),
    delaysMs: list.flatMap((f) => f.delaysMs).sort((a, b) => a - b),
  };
  return { byProvider, all, wallSeconds };
}

/** A plain-text table of one run. */
export function formatRun(title: string, run: RunFigures): string {
  const line = (name: string, f: ProviderFigures) =>
    `  ${name.padEnd(9)} ${String(f.completed).padStart(3)}/${String(f.tasks).padEnd(3)} polls/task ${f.pollsPerTask.toFixed(2).padStart(5)}   delay p50 ${fmt(percentile(f.delaysMs, 50))}  max ${fmt(f.delaysMs.at(-1) ?? NaN)}  (${f.delaysMs.length} measured)`;
  return [`${title} (${run.wallSeconds.toFixed(0)} s)`, ...CALLBACK_PROVIDERS.map((p) => line(p, run.byProvider[p])), line('all', run.all)].join('\n');
}

const fmt = (ms: number) => (Number.isNaN(ms) ? '   n/a' : `${(ms / 1000).toFixed(2).padStart(6)} s`);
