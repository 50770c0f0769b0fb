import type { Task } from './types.js';

/**
 * Every failure the SDK reports. HTTP errors carry the server's envelope fields; a connection
 * failure or timeout has status 0; a task that ended `failed` in `generate` has type 'task_failed'
 * and the task itself.
 */
export class VidgateError extends Error {
  /** HTTP status (0 when no answer was received). */
  readonly status: number;
  readonly code: string;
  readonly type: string;
  /** The request field at fault, when one is. */
  readonly param: string | undefined;
  /** The x-request-id of the answer: quote it when reporting a problem. */
  readonly requestId: string | undefined;
  /** Every field of the server's error object (allowed_durations, did_you_mean, …). */
  readonly details: Record<string, unknown>;
  /** For 'task_failed': the failed task. */
  readonly task: Task | undefined;

  constructor(init: { status: number; code: string; type: string; message: string; param?: string; requestId?: string; details?: Record<string, unknown>; task?: Task }) {
    super(init.message);
    this.name = 'VidgateError';
    this.status = init.status;
    this.code = init.code;
    this.type = init.type;
    this.param = init.param;
    this.requestId = init.requestId;
    this.details = init.details ?? {};
    this.task = init.task;
  }

  /** Builds the error from a non-2xx answer, whatever its body. */
  static async fromResponse(res: Response): Promise<VidgateError> {
    const requestId = res.headers.get('x-request-id') ?? undefined;
    const text = await res.text().catch(() => '');
    let error: Record<string, unknown> | undefined;
    try {
      const body = JSON.parse(text) as { error?: unknown };
      if (body && typeof body.error === 'object' && body.error !== null) error = body.error as Record<string, unknown>;
    } catch {
      // not JSON: described below from the status line
    }
    const field = (k: string) => (typeof error?.[k] === 'string' ? (error[k] as string) : undefined);
    return new VidgateError({
      status: res.status,
      code: field('code') ?? `http_${res.status}`,
      type: field('type') ?? 'http_error',
      message: field('message') ?? `HTTP ${res.status} ${res.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`,
      param: field('param'),
      requestId,
      details: error,
    });
  }
}
