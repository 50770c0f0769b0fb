import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The machine's shared Redis; tests keep to a key prefix (or database) of their own. */
export const SHARED_REDIS_URL = 'redis://127.0.0.1:6379/0';

/** A database number of the shared Redis held by one test run: empty at start, emptied by `release`. */
export interface ClaimedRedisDatabase {
  db: number;
  /** redis://127.0.0.1:6379/<db> */
  url: string;
  /** A connection to it, for checks (closed by `release`). */
  redis: Redis;
  /** FLUSHDB (our claim goes with it) and disconnect. */
  release(): Promise<void>;
}

const CLAIM_KEY = 'vidgate-test:claimed-by';

/**
 * Claims one of the shared Redis's databases 1–15 (0 is for tests that keep to a key prefix),
 * starting from one derived from the pid so parallel runs spread out: a claim key set with NX marks
 * it taken (it expires after `holdMs`, should a run die), then the database is emptied, claim aside.
 */
export async function claimRedisDatabase(holdMs = 10 * 60_000): Promise<ClaimedRedisDatabase> {
  const token = `${process.pid}:${randomBytes(6).toString('hex')}`;
  for (let i = 0; i < 15; i++) {
    const db = 1 + ((process.pid + i) % 15);
    const redis = new Redis(`${SHARED_REDIS_URL.replace(/\/0$/, '')}/${db}`, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    if ((await redis.set(CLAIM_KEY, token, 'PX', holdMs, 'NX')) !== 'OK') {
      redis.disconnect();
      continue;
    }
    await redis.multi().flushdb().set(CLAIM_KEY, token, 'PX', holdMs).exec();
    return {
      db,
      url: `${SHARED_REDIS_URL.replace(/\/0$/, '')}/${db}`,
      redis,
      async release() {
        if ((await redis.get(CLAIM_KEY)) === token) await redis.flushdb();
        redis.disconnect();
      },
    };
  }
  throw new Error('every Redis database 1-15 is claimed by another test run');
}

export function uniquePrefix(name: string): string {
  return `vidgate-test:${name}:${randomBytes(6).toString('hex')}:`;
}

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  srv.close();
  await once(srv, 'close');
  return port;
}

/** A private, throw-away redis-server on `port` (no persistence), for outage tests. */
export async function startPrivateRedis(port: number): Promise<ChildProcess> {
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
    proc.stdout!.on('data', (d) => {
      out += d;
      if (/Ready to accept connections/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once('exit', (code) => reject(new Error(`redis-server exited ${code}: ${out}`)));
  });
  proc.stdout!.resume();
  return proc;
}

export async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, 'exit');
  proc.kill('SIGKILL');
  await exited;
}
