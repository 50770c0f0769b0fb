/** Webhook delivery settings, read from VIDGATE_WEBHOOK_* variables. */
export interface WebhookSettings {
  /** Delay before each attempt, ms, relative to the previous one (the first is usually 0). */
  retryScheduleMs: number[];
  /** Whole-attempt cap: DNS, connect, request and response, ms. */
  timeoutMs: number;
  /** Cap on DNS + TCP/TLS connect, ms: an unreachable receiver fails fast instead of holding a slot. */
  connectTimeoutMs: number;
  /** How long a receiver that failed 3 times in a row rests before one probe, ms (doubles up to 10 min). */
  endpointCooldownMs: number;
  /** How much of a receiver's response we read before hanging up, bytes. */
  maxResponseBytes: number;
  /** How often the dispatcher looks for new events and due retries, ms. */
  tickMs: number;
  /** Deliveries in flight at once on this node. */
  maxConcurrent: number;
}

/**
 * Immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: eight attempts spread over about 27.5 h,
 * so a receiver that is down for a whole day still gets the event.
 */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

type ErrorClass = new (message: string) => Error;

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number, fail: ErrorClass): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new fail(`${name} must be an integer between ${min} and ${max}, got '${raw}'`);
  return n;
}

function scheduleVar(env: NodeJS.ProcessEnv, name: string, fail: ErrorClass): number[] {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return [...DEFAULT_RETRY_SCHEDULE_MS];
  const parts = raw.split(',').map((p) => p.trim());
  const values = parts.map(Number);
  if (parts.length > 50 || values.some((v, i) => parts[i] === '' || !Number.isInteger(v) || v < 0 || v > 7 * 86_400_000)) {
    throw new fail(`${name} must be a comma-separated list of 1–50 delays in ms (each 0–604800000), e.g. "0,5000,300000", got '${raw}'`);
  }
  return values;
}

/** `fail` is the caller's configuration error class, so a bad value is reported like any other setting. */
export function readWebhookSettings(env: NodeJS.ProcessEnv, fail: ErrorClass): WebhookSettings {
  return {
    retryScheduleMs: scheduleVar(env, 'VIDGATE_WEBHOOK_RETRY_SCHEDULE_MS', fail),
    timeoutMs: intVar(env, 'VIDGATE_WEBHOOK_TIMEOUT_MS', 15_000, 100, 300_000, fail),
    connectTimeoutMs: intVar(env, 'VIDGATE_WEBHOOK_CONNECT_TIMEOUT_MS', 3_000, 50, 60_000, fail),
    endpointCooldownMs: intVar(env, 'VIDGATE_WEBHOOK_ENDPOINT_COOLDOWN_MS', 30_000, 100, 3_600_000, fail),
    maxResponseBytes: intVar(env, 'VIDGATE_WEBHOOK_MAX_RESPONSE_BYTES', 64 * 1024, 0, 10 * 1024 * 1024, fail),
    tickMs: intVar(env, 'VIDGATE_WEBHOOK_TICK_MS', 500, 10, 60_000, fail),
    maxConcurrent: intVar(env, 'VIDGATE_WEBHOOK_MAX_CONCURRENT', 16, 1, 1000, fail),
  };
}
