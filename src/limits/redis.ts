import { Redis } from 'ioredis';
import { InProcessLimits } from './in-process.js';
import type { Limits, LimitsLog, RateDecision } from './types.js';

/**
 * One fixed one-minute window per key, on Redis's clock (so every node agrees where a minute
 * starts). KEYS[1] key base; ARGV[1] limit. Refused requests are not counted.
 * Returns {allowed (0/1), count after, window start ms}.
 */
const TAKE_REQUEST = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local start = now - (now % 60000)
local k = KEYS[1] .. ':' .. start
local limit = tonumber(ARGV[1])
local n = tonumber(redis.call('GET', k) or '0')
if n >= limit then return {0, n, start} end
n = redis.call('INCR', k)
if n == 1 then redis.call('PEXPIRE', k, 65000) end
return {1, n, start}
`;

/**
 * Token bucket per provider: ARGV[1] tokens per minute (also the burst), ARGV[2] tokens wanted
 * (0 = only look; negative = give that many back). Returns the tokens granted, or when looking,
 * the whole tokens available.
 * An idle bucket expires after a minute: it would be full by then anyway.
 */
const TAKE_TOKENS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = tonumber(ARGV[1])
local wanted = tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1])
local at = tonumber(b[2])
if tokens == nil or at == nil then tokens = rate; at = now end
tokens = math.min(rate, tokens + math.max(0, now - at) / 60000 * rate)
if wanted == 0 then return math.floor(tokens) end
if wanted < 0 then
  tokens = math.min(rate, tokens - wanted)
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
  redis.call('PEXPIRE', KEYS[1], 60000)
  return 0
end
local granted = math.min(wanted, math.floor(tokens))
tokens = tokens - granted
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], 60000)
return granted
`;

/** How often a suspended connection is probed (see RedisLimits.suspended). */
const PROBE_MS = 1_000;

type Scripted = Redis & {
  vidgateTakeRequest(key: string, limit: number): Promise<[number, number, number]>;
  vidgateTakeTokens(key: string, rate: number, wanted: number): Promise<number>;
};

/**
 * Limits counted in Redis, so a limit holds across every node (20/min on three nodes admits 20).
 * When Redis cannot be reached, each node falls back to counting on its own (fail open: the API
 * stays up, limits are per node meanwhile), logs that once, and uses Redis again when it returns.
 */
export class RedisLimits implements Limits {
  private readonly redis: Scripted;
  private readonly local: InProcessLimits;
  private degraded = false;
  /**
   * Set after a command failed on an open connection (a hung Redis or a network cut keeps it
   * 'ready' while each command waits out its timeout): answers come from the local counters at once
   * until a probe is answered, instead of every request waiting a second for Redis.
   */
  private suspended = false;
  private probeTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    url: string,
    private readonly log: LimitsLog,
    private readonly prefix = 'vidgate:limits:',
  ) {
    this.local = new InProcessLimits();
    const redis = new Redis(url, {
      // Never queue or retry a command while disconnected: answer from the local counters at once.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 1_000,
      connectTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(attempt * 250, 2_000),
    });
    redis.defineCommand('vidgateTakeRequest', { numberOfKeys: 1, lua: TAKE_REQUEST });
    redis.defineCommand('vidgateTakeTokens', { numberOfKeys: 1, lua: TAKE_TOKENS });
    // Connection errors are reported once, by markDown, when a limit is asked for.
    redis.on('error', () => {});
    this.redis = redis as Scripted;
    // ioredis selects the URL's database on connect but, when Redis refuses it (a number past its
    // `databases`), carries on in database 0: counts every node would share with anyone else's.
    // Checked on every connection; refused, this node counts on its own and says why.
    if (this.db() !== 0) redis.on('ready', () => void this.check().catch((err) => this.refuse(err)));
  }

  /** Answered when Redis answers and holds the URL's database (PING for database 0). */
  private check(): Promise<unknown> {
    const db = this.db();
    return db === 0 ? this.redis.ping() : this.redis.select(db);
  }

  /** The URL's database, as ioredis parsed it. */
  private db(): number {
    return this.redis.options.db ?? 0;
  }

  private refuse(err: unknown): void {
    this.markDown(err);
    this.suspend();
  }

  /** Waits up to `timeoutMs` for the connection; false (and logged once) when Redis is not there. */
  async connected(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.redis.status !== 'ready' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    if (this.redis.status === 'ready') {
      try {
        await this.check();
        return !this.suspended;
      } catch (err) {
        this.refuse(err);
        return false;
      }
    }
    this.markDown(new Error(`no connection within ${timeoutMs} ms`));
    return false;
  }

  takeRequest(keyId: string, perMinute: number): Promise<RateDecision> {
    return this.run(
      async () => {
        const [allowed, count, start] = await this.redis.vidgateTakeRequest(`${this.prefix}req:${keyId}`, perMinute);
        return { allowed: allowed === 1, limit: perMinute, remaining: Math.max(0, perMinute - count), reset: (start + 60_000) / 1000 };
      },
      () => this.local.takeRequest(keyId, perMinute),
    );
  }

  submissionTokens(provider: string, perMinute: number): Promise<number> {
    return this.run(
      () => this.redis.vidgateTakeTokens(`${this.prefix}submit:${provider}`, perMinute, 0),
      () => this.local.submissionTokensNow(provider, perMinute),
    );
  }

  takeSubmissions(provider: string, perMinute: number, wanted: number): Promise<number> {
    if (wanted <= 0) return Promise.resolve(0);
    return this.run(
      () => this.redis.vidgateTakeTokens(`${this.prefix}submit:${provider}`, perMinute, wanted),
      () => this.local.takeSubmissionsNow(provider, perMinute, wanted),
    );
  }

  async returnSubmissions(provider: string, perMinute: number, count: number): Promise<void> {
    if (count <= 0) return;
    await this.run(
      () => this.redis.vidgateTakeTokens(`${this.prefix}submit:${provider}`, perMinute, -count),
      () => {
        this.local.returnSubmissionsNow(provider, perMinute, count);
        return 0;
      },
    );
  }

  private async run<T>(remote: () => Promise<T>, local: () => T): Promise<T> {
    if (this.redis.status === 'ready' && !this.suspended) {
      try {
        const answer = await remote();
        this.markUp();
        return answer;
      } catch (err) {
        this.refuse(err);
      }
    } else if (!this.suspended) {
      this.markDown(new Error(`connection ${this.redis.status}`));
    }
    return local();
  }

  /** Stops asking Redis until a probe (one a second, each bounded by the command timeout) is answered. */
  private suspend(): void {
    if (this.suspended || this.closed) return;
    this.suspended = true;
    const probe = () => {
      this.probeTimer = setTimeout(() => {
        this.check().then(
          () => {
            this.suspended = false;
          },
          () => {
            if (!this.closed) probe();
          },
        );
      }, PROBE_MS);
      this.probeTimer.unref();
    };
    probe();
  }

  private markDown(err: unknown): void {
    if (this.degraded) return;
    this.degraded = true;
    this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'Redis (VIDGATE_REDIS_URL) is unreachable: rate limits are counted per node until it returns');
  }

  private markUp(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.log.info('Redis (VIDGATE_REDIS_URL) is reachable again: rate limits are counted across nodes');
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.redis.disconnect();
  }
}
