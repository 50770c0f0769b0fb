import { InProcessLimits } from './in-process.js';
import { RedisLimits } from './redis.js';
import type { Limits, LimitsLog } from './types.js';

export type { Limits, RateDecision } from './types.js';
export { InProcessLimits } from './in-process.js';
export { RedisLimits } from './redis.js';

/** Redis-backed when VIDGATE_REDIS_URL is set (shared by all nodes), else counted in this process. */
export function createLimits(redisUrl: string | null, log: LimitsLog): Limits {
  return redisUrl === null ? new InProcessLimits() : new RedisLimits(redisUrl, log);
}
