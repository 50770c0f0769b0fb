import { lifecycleHeaders } from '../catalog/lifecycle.js';
import type { RateDecision } from '../limits/types.js';
import type { Task } from '../store/types.js';
import type { Gateway } from './gateway.js';

/**
 * What every answer about one task carries, however it is asked for (a read, a long poll, an event
 * stream, the in-memory read, a cancel, a create): which task, its billing transaction once
 * settled, and its model's Deprecation / Sunset / Link (RFC 9745, RFC 8594).
 */
export function taskHeaders(gw: Gateway, task: Task): Record<string, string> {
  const spec = gw.catalog.byId(task.model);
  const headers: Record<string, string> = { 'x-task-id': task.id, ...(spec ? lifecycleHeaders(spec, Date.now()) : {}) };
  if (task.billing_transaction_id) headers['x-billing-transaction-id'] = task.billing_transaction_id;
  return headers;
}

/** X-RateLimit-* for a request counted against its key's minute: the auth hook and the in-memory read both send these. */
export function rateLimitHeaders(d: RateDecision): Record<string, number> {
  return { 'x-ratelimit-limit': d.limit, 'x-ratelimit-remaining': d.remaining, 'x-ratelimit-reset': d.reset };
}

/** The same headers appended to a name, value, … list (the in-memory read's hot path: no object per request). */
export function pushRateLimitHeaders(list: (string | number)[], d: RateDecision): void {
  list.push('x-ratelimit-limit', d.limit, 'x-ratelimit-remaining', d.remaining, 'x-ratelimit-reset', d.reset);
}

/** name, value, … as `name: value\r\n` lines. */
export function headerLines(list: (string | number)[]): string {
  let lines = '';
  for (let i = 0; i < list.length; i += 2) lines += `${list[i]}: ${list[i + 1]}\r\n`;
  return lines;
}
