import type { Task } from './types.js';

/**
 * Every failure the SDK reports. HTTP errors carry the server's envelope fields; a connection
 * failure or timeout has status 0; a task that ended `failed` in `generate` has type 'task_failed'
 * and the task itself. An error of a wait (a `wait_timeout`, a gateway that stayed out of reach) —
 * and so of `generate` once its task exists — carries `taskId`, to follow or cancel that task.
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
  /**
   * The task the error is about, when there is one: the failed task ('task_failed'), or the task as
   * last seen when a wait ended without its outcome ('wait_timeout', …); undefined if none was seen yet.
   */
  readonly task: Task | undefined;
  /**
   * The id of the task the error is about: set on every error of `tasks.wait` and on those of
   * `videos.generate` after its task was created (which goes on, and is paid for): follow it again
   * with `tasks.wait(err.taskId)` or stop it with `tasks.cancel(err.taskId)`.
   */
  readonly taskId: string | undefined;

  constructor(init: { status: number; code: string; type: string; message: string; param?: string; requestId?: string; details?: Record<string, unknown>; task?: Task; taskId?: string }, options?: { cause?: unknown }) {
    super(init.message, options);
    this.name = 'VidgateError';
    this.status = init.status;
    this.code = init.code;
    this.type = init.type;
    this.param = init.param;
    this.requestId = init.requestId;
    this.details = init.details ?? {};
    this.task = init.task;
    this.taskId = init.taskId ?? init.task?.id;
  }

  /** The same error, about the task `taskId` (as last seen: `task`, when known); the original is its cause. */
  aboutTask(taskId: string, task: Task | undefined): VidgateError {
    if (this.taskId !== undefined) return this;
    const { status, code, type, message, param, requestId, details } = this;
    return new VidgateError({ status, code, type, message, param, requestId, details, task: this.task ?? task, taskId }, { cause: this });
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
