/**
 * Callbacks as the real providers send them, shared by the simulators that call back: a watch on
 * each job's status that POSTs the provider's payload to the URL given with the create whenever the
 * status changes, with the provider's retries on a non-2xx answer or a timeout, signed where the
 * provider signs. Fault controls (FaultCore) can drop, delay, duplicate or forge the next callbacks.
 * Posts go only to the URL the create named (a forged one too: it carries a bad signature, or a body
 * that lies about the job). The watch also notes when each job ended, for measurements.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { CallbackFault } from './faults.js';

export interface CallbackStats {
  /** Callbacks the simulator meant to send (one per status change; duplicates count once). */
  sent: number;
  /** Of those, answered 2xx (after retries). */
  delivered: number;
  /** Given up after every retry failed. */
  failed: number;
  /** Dropped by a fault control. */
  dropped: number;
  /** HTTP attempts made (retries and duplicates included). */
  attempts: number;
  /** When each watched job reached its end (epoch ms), by upstream job id: the moment a poll would first see it. */
  finishedAt: Record<string, number>;
}

export function newCallbackStats(): CallbackStats {
  return { sent: 0, delivered: 0, failed: 0, dropped: 0, attempts: 0, finishedAt: {} };
}

/** One callback to send: its body, and the headers the provider adds (signatures); `forged` asks for a bad one. */
export interface CallbackMessage {
  body: string;
  headers?: (body: string, forged: boolean) => Record<string, string>;
  /** A token-authenticated provider cannot sign wrong: a forged message lies about the job instead. */
  forgedBody?: string;
}

export interface CallbackSenderOptions {
  stats: CallbackStats;
  takeFault: () => CallbackFault | undefined;
  /** Waits before each retry after a failed attempt (the provider's documented count). */
  retryDelaysMs: readonly number[];
  /** An attempt not answered in this time failed. */
  timeoutMs: number;
  /** Aborted when the simulator closes. */
  signal: AbortSignal;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    t.unref();
    signal.addEventListener('abort', done, { once: true });
  });

/** POSTs callbacks with retries; fire-and-forget (the simulator's answers never wait for them). */
export class CallbackSender {
  constructor(private readonly o: CallbackSenderOptions) {}

  send(url: string, message: CallbackMessage): void {
    this.o.stats.sent++;
    const fault = this.o.takeFault();
    if (fault?.kind === 'drop') {
      this.o.stats.dropped++;
      return;
    }
    const forged = fault?.kind === 'forge';
    const body = forged && message.forgedBody !== undefined ? message.forgedBody : message.body;
    void (async () => {
      if (fault?.kind === 'delay') await sleep(fault.ms, this.o.signal);
      const copies = fault?.kind === 'duplicate' ? 2 : 1;
      const results = await Promise.all(Array.from({ length: copies }, () => this.deliver(url, body, message, forged)));
      if (results.some(Boolean)) this.o.stats.delivered++;
      else this.o.stats.failed++;
    })();
  }

  /** One delivery with its retries; true once answered 2xx. */
  async post(url: string, body: string, headers: Record<string, string> = {}): Promise<Response | undefined> {
    this.o.stats.attempts++;
    // A timer of its own, not AbortSignal.timeout() inside AbortSignal.any(): Node 20 can garbage-
    // collect that timeout, and a receiver that never answered then held the delivery for minutes.
    const attempt = new AbortController();
    const timer = setTimeout(() => attempt.abort(), this.o.timeoutMs);
    const stop = () => attempt.abort();
    this.o.signal.addEventListener('abort', stop, { once: true });
    try {
      // Redirects are not followed: a callback goes to the URL given, nowhere else.
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'vidgate-simulator-callback', ...headers }, body, signal: attempt.signal, redirect: 'manual' });
      // Read within the deadline (a receiver's answer is small): a body that never ends cannot hold the delivery.
      const bytes = await res.arrayBuffer();
      return new Response(bytes.byteLength === 0 ? null : bytes, { status: res.status, headers: res.headers });
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
      this.o.signal.removeEventListener('abort', stop);
    }
  }

  private async deliver(url: string, body: string, message: CallbackMessage, forged: boolean): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      if (this.o.signal.aborted) return false;
      // Signed per attempt (a fresh nonce and time), as the providers do.
      const res = await this.post(url, body, message.headers?.(body, forged) ?? {});
      await res?.body?.cancel().catch(() => undefined);
      if (res && res.status >= 200 && res.status < 300) return true;
      const wait = this.o.retryDelaysMs[attempt];
      if (wait === undefined) return false;
      await sleep(wait, this.o.signal);
    }
  }
}

/** What the watch reads of a job: its status now, and the message a change to it sends. */
export interface WatchedJob {
  status(): string | undefined;
  /** Whether `status` is the end of the job (no more changes). */
  isEnd(status: string): boolean;
  message(status: string): CallbackMessage;
  /** Which changes are announced (default: every one); OpenAI's project webhooks announce only the end. */
  announces?(status: string): boolean;
}

/**
 * Watches jobs' statuses (a short tick, and at once when a job's render settles) and sends a
 * callback on each change to jobs that gave a callback URL; jobs without one are watched too, only
 * to note when they ended.
 */
export class CallbackWatch {
  private readonly jobs = new Map<string, { url?: string; job: WatchedJob; last: string | undefined }>();
  private readonly quiet: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly abort = new AbortController();
  readonly sender: CallbackSender;
  /** Callbacks sent and jobs ended (the simulator's stats show it). */
  readonly stats: CallbackStats = newCallbackStats();

  constructor(
    opts: Omit<CallbackSenderOptions, 'stats' | 'signal'>,
    private readonly tickMs = 100,
  ) {
    // Every callback in flight listens for close(): many at once is normal, not a leak.
    setMaxListeners(0, this.abort.signal);
    this.sender = new CallbackSender({ ...opts, stats: this.stats, signal: this.abort.signal });
  }

  /**
   * Starts watching a new job; `url` is the create's callback URL, if any. Only jobs with a URL are
   * looked at every tick; the others only when their render settles (to note when they ended), and
   * the oldest of those are forgotten past QUIET_JOBS (a job that fails or hangs never settles).
   */
  track(id: string, url: string | undefined, job: WatchedJob): void {
    this.jobs.set(id, { url, job, last: job.status() });
    if (!url) {
      this.quiet.push(id);
      if (this.quiet.length > QUIET_JOBS) {
        const old = this.quiet.shift()!;
        if (!this.jobs.get(old)?.url) this.jobs.delete(old);
      }
      return;
    }
    this.timer ??= setInterval(() => {
      for (const [k, w] of this.jobs) if (w.url) this.check(k);
    }, this.tickMs);
    this.timer.unref();
  }

  /** Looks at one job now (its render just settled). */
  check(id: string): void {
    const w = this.jobs.get(id);
    if (!w) return;
    const status = w.job.status();
    if (status === undefined || status === w.last) return;
    w.last = status;
    const end = w.job.isEnd(status);
    if (end) {
      this.stats.finishedAt[id] = Date.now();
      this.jobs.delete(id);
      const ids = Object.keys(this.stats.finishedAt);
      if (ids.length > 5000) delete this.stats.finishedAt[ids[0]];
    }
    if (w.url && (w.job.announces?.(status) ?? true)) this.sender.send(w.url, w.job.message(status));
  }

  /** Stops watching a job (deleted or cancelled upstream). */
  forget(id: string): void {
    this.jobs.delete(id);
  }

  close(): Promise<void> {
    this.abort.abort();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return Promise.resolve();
  }
}

/** Jobs without a callback URL watched at once (their end is only noted, for measurements). */
const QUIET_JOBS = 10_000;

/** A Standard Webhooks-style random id, for payloads that carry one. */
export const newEventId = (prefix: string) => `${prefix}${randomUUID().replace(/-/g, '')}`;

/** A create's callback URL field: undefined when absent, null when it is not an absolute http(s) URL (the provider's 400). */
export function callbackUrlField(value: unknown): string | undefined | null {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || value.length > 2048) return null;
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:' ? value : null;
  } catch {
    return null;
  }
}
