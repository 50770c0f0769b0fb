import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { newTaskId } from '../../src/contract/ids.js';
import type { ResolvedVideoRequest } from '../../src/contract/video-request.js';
import { createKey } from '../../src/keys/keys.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import type { Database } from '../../src/store/schema.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Admission, ApiKey, ClaimedTask, NewTask } from '../../src/store/types.js';
import assert from 'node:assert/strict';

export const DIALECTS = ['sqlite', 'postgres'] as const;
export type TestDialect = (typeof DIALECTS)[number];

/** The machine's PostgreSQL (trust auth); tests create and drop databases of their own. */
export const PG_ADMIN_URL = process.env.VIDGATE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function pgUrlFor(database: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A fresh, empty PostgreSQL database for one test file; `drop` removes it (and its connections). */
export async function createPgDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `vidgate_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: pgUrlFor(name),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A store's own Kysely instance: tests that set up rows of an older schema or read query plans. */
export function kyselyOf(store: SqlStore): Kysely<any> {
  return (store as unknown as { db: { kysely: Kysely<any> } }).db.kysely;
}

/** A new database of `dialect`, migrated, with one store on it and that store's Kysely instance. */
export async function migratedStore(dialect: TestDialect): Promise<{ db: TestDatabase; store: SqlStore; kysely: Kysely<Database> }> {
  const db = await createTestDatabase(dialect);
  const store = db.open();
  await store.migrate();
  return { db, store, kysely: kyselyOf(store) };
}

export interface TestDatabase {
  dialect: TestDialect;
  /** Opens another store on the same database: another "node" (SQLite: another connection to the file). */
  open(): SqlStore;
  /** Closes every store opened here and removes the database. */
  cleanup(): Promise<void>;
}

export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  const opened: SqlStore[] = [];
  const track = (s: SqlStore) => {
    opened.push(s);
    return s;
  };
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-store-'));
    const file = path.join(dir, 'db.sqlite');
    return {
      dialect,
      open: () => track(openSqliteStore(file)),
      async cleanup() {
        for (const s of opened) await s.close().catch(() => undefined);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const db = await createPgDatabase();
  return {
    dialect,
    open: () => track(openPostgresStore(db.url, { poolSize: 4 })),
    async cleanup() {
      for (const s of opened) await s.close().catch(() => undefined);
      await db.drop();
    },
  };
}

export const REQUEST: ResolvedVideoRequest = {
  model: 'veo3.1-fast',
  operation: 'text-to-video',
  operation_explicit: false,
  prompt: 'a test',
  sent: ['model', 'prompt'],
  duration: 4,
  resolution: '720p',
  aspect_ratio: '16:9',
  output_audio: true,
  upstream_model: 'veo-3.1-fast-generate-preview',
};

export function newTask(key: Pick<ApiKey, 'id'>, over: Partial<NewTask> = {}): NewTask {
  return {
    id: newTaskId(),
    owner_key_id: key.id,
    model: 'veo3.1-fast',
    provider: 'google',
    operation: 'text-to-video',
    request: REQUEST,
    upstream_model: REQUEST.upstream_model,
    estimated_cost_usd: 0.4,
    callback_url: null,
    created_ms: Date.now(),
    ...over,
  };
}

export async function testKey(store: SqlStore, name = 'k', limits: { balance_usd?: number | null; spend_limit_usd?: number | null } = {}): Promise<ApiKey> {
  const { key } = await createKey(store, name, false);
  if (Object.keys(limits).length === 0) return key;
  const res = await store.keys.updateLimits(key.id, limits, Date.now());
  if (res.kind !== 'updated') throw new Error(`could not set limits: ${res.kind}`);
  return res.key;
}

export const ADMIT_ALL: Admission = { admit: () => true, refund: () => undefined };

const claimOpts = (owner: string, now = Date.now()) => ({ now_ms: now, limit: 100, owner, lease_ms: 60_000 });

/** Drives a claimed submission to a terminal state the way the engine does (one transition per step). */
export async function finish(store: SqlStore, c: ClaimedTask, owner: string, to: 'completed' | 'failed', cost = 0.3): Promise<void> {
  const now = Date.now();
  assert.ok(await store.tasks.transition(c, owner, { from: 'submitting', to: 'processing', patch: { upstream_id: 'up_1', submitted_ms: now }, next: { lane: 'poll', due_ms: now, attempts: 0 } }, now));
  const [polled] = (await store.tasks.claim('poll', claimOpts(owner))).filter((p) => p.task.id === c.task.id);
  if (to === 'failed') {
    assert.ok(await store.tasks.transition(polled, owner, { from: 'processing', to: 'failed', patch: { error: { code: 'x', message: 'y' } }, next: null }, now));
    return;
  }
  assert.ok(await store.tasks.transition(polled, owner, { from: 'processing', to: 'finishing', patch: { outputs: [{ kind: 'video', url: 'u' }] }, next: { lane: 'finish', due_ms: now, attempts: 0 } }, now));
  const [fin] = (await store.tasks.claim('finish', claimOpts(owner))).filter((p) => p.task.id === c.task.id);
  const video = { blob_key: `videos/${c.task.id}.mp4`, duration_s: 4, width: 1280, height: 720, has_audio: true };
  assert.ok(await store.tasks.transition(fin, owner, { from: 'finishing', to: 'completed', patch: { video, cost_usd: cost, completed_ms: now, progress: 100 }, next: null }, now));
}

/** Creates tasks for `key` on a provider of their own and finishes each (events get queued when they have a callback). */
export async function finishedTasks(store: SqlStore, key: ApiKey, n: number, over: Partial<NewTask> & { to?: 'completed' | 'failed' } = {}): Promise<string[]> {
  const provider = over.provider ?? `p_${Math.random().toString(36).slice(2, 8)}`;
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const o = await store.tasks.create(newTask(key, { ...over, provider }));
    if (o.kind !== 'created') throw new Error(`create refused: ${o.kind}`);
    ids.push(o.task.id);
  }
  const claimed = (await store.tasks.claimPending({ ...claimOpts('test-worker'), admission: ADMIT_ALL })).filter((c) => c.task.provider === provider);
  for (const c of claimed) await finish(store, c, 'test-worker', over.to ?? 'completed');
  return ids;
}
