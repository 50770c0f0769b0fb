import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { postgresDb, TASK_CHANGES_CHANNEL, WORK_DUE_CHANNEL } from './db.js';
import { postgresTarget, resolvedSsl, type PostgresTarget } from './postgres-tls.js';
import type { Database } from './schema.js';
import { SqlStore, type ChangeFeed } from './sql-store.js';

// int8 (counts, epoch ms) as numbers: every value we store fits a double exactly.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export interface PostgresOptions {
  /** Connections in this node's pool. */
  poolSize?: number;
}

/** PostgreSQL for many nodes: every node shares the rows and the work queue. */
export function openPostgresStore(url: string, opts: PostgresOptions = {}): SqlStore {
  const target = postgresTarget(url);
  const ssl = sslOnce(target);
  // Made when first needed: `sslmode=prefer` asks the server first whether it speaks TLS.
  const pool = async () => newPool(target, await ssl(), opts);
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return new SqlStore(postgresDb(kysely), { changeFeed: listenFeed(target, ssl) });
}

/** The TLS option, worked out once (a failed attempt, e.g. the database not up yet, is tried again next time). */
function sslOnce(target: PostgresTarget): () => Promise<pg.ClientConfig['ssl']> {
  let resolved: Promise<pg.ClientConfig['ssl']> | null = null;
  return () => {
    resolved ??= resolvedSsl(target).catch((err) => {
      resolved = null;
      throw err;
    });
    return resolved;
  };
}

function newPool(target: PostgresTarget, ssl: pg.ClientConfig['ssl'], opts: PostgresOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: target.connectionString,
    ...(ssl !== undefined && { ssl }),
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    // A statement stuck behind a lock is an outage, not a reason to hang a request forever.
    statement_timeout: 30_000,
    // A connection whose peer vanished without a word (a network cut) is noticed in seconds, not the OS's ~15 minutes.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // A client losing its connection (database restart, network cut) must not crash the process:
  // the query in flight fails (→ 503 or an engine retry) and the pool opens a new connection next time.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** How often the LISTEN connection is asked `select 1`, and how long an answer may take before it counts as lost. */
const HEARTBEAT_MS = 5_000;
const HEARTBEAT_DEADLINE_MS = 10_000;

/**
 * Other nodes' task changes and work-due notices, heard on one dedicated connection (LISTEN). It reconnects after a
 * break, backing off; what was said while it was away is lost, which waiters tolerate (they re-read). A connection
 * that only listens writes nothing, so a silent drop (a NAT or load balancer forgetting it) would go unnoticed for
 * as long as the OS's keepalive takes (Linux: 10 s idle + 9 × 75 s probes ≈ 11 min with Node 20, which cannot set the
 * probe interval): a heartbeat query that goes unanswered for HEARTBEAT_DEADLINE_MS ends it and a new one is opened.
 */
function listenFeed(target: PostgresTarget, ssl: () => Promise<pg.ClientConfig['ssl']>): ChangeFeed {
  let client: pg.Client | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | null = null;
  let heartbeat: NodeJS.Timeout | null = null;
  let delay = 250;
  const connect = async (onIds: (ids: string[]) => void, onWorkDue: () => void) => {
    const later = () => {
      retry = setTimeout(() => void connect(onIds, onWorkDue), delay);
      retry.unref();
      delay = Math.min(delay * 2, 10_000);
    };
    let tls: pg.ClientConfig['ssl'];
    try {
      tls = await ssl();
    } catch {
      if (!stopped) later(); // the server did not answer whether it speaks TLS
      return;
    }
    if (stopped) return;
    const c = new pg.Client({
      connectionString: target.connectionString,
      ...(tls !== undefined && { ssl: tls }),
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    const again = () => {
      if (stopped || client !== c) return;
      client = null;
      if (heartbeat) clearInterval(heartbeat);
      c.removeAllListeners('end');
      void endWithin(c);
      later();
    };
    client = c;
    c.on('error', again);
    c.on('end', again);
    c.on('notification', (n) => {
      if (n.channel === TASK_CHANGES_CHANNEL && n.payload) onIds(n.payload.split(','));
      else if (n.channel === WORK_DUE_CHANNEL) onWorkDue();
    });
    try {
      await c.connect();
      await c.query(`listen ${TASK_CHANGES_CHANNEL}`);
      await c.query(`listen ${WORK_DUE_CHANNEL}`);
      delay = 250;
    } catch {
      again();
      return;
    }
    if (client !== c) return;
    heartbeat = setInterval(() => {
      const late = setTimeout(again, HEARTBEAT_DEADLINE_MS);
      late.unref();
      c.query('select 1').then(
        () => clearTimeout(late),
        () => clearTimeout(late), // an error on the connection calls again() itself
      );
    }, HEARTBEAT_MS);
    heartbeat.unref();
  };
  return {
    start: (onIds, onWorkDue) => void connect(onIds, onWorkDue),
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      if (heartbeat) clearInterval(heartbeat);
      const c = client;
      client = null;
      if (c) await endWithin(c);
    },
  };
}

/** How long a goodbye (pg's Terminate) may take before the socket is simply destroyed. */
const END_GRACE_MS = 1_000;

/**
 * Ends a client, but never waits on a peer that went silent: the goodbye to a dropped connection is never answered
 * (the socket closes only when TCP gives up, ~15 min), so after END_GRACE_MS its socket is destroyed.
 */
async function endWithin(c: pg.Client): Promise<void> {
  const cut = setTimeout(() => c.connection.stream.destroy(), END_GRACE_MS);
  await c.end().catch(() => undefined);
  clearTimeout(cut);
}
