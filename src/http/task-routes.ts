import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, badRequest, taskNotFound } from '../contract/errors.js';
import type { Task, TaskListFilter } from '../store/types.js';
import type { CancelResult } from '../tasks/service.js';
import { taskView } from '../tasks/view.js';
import { callerKey } from './auth.js';
import type { Gateway } from './gateway.js';
import { taskHeaders } from './read-headers.js';
import { pageLimit, queryValue } from './request-parsing.js';
import { readTask, streamTask } from './task-read.js';

export function videoUrlFor(gw: Gateway) {
  return (task: Task): string | null => (task.video?.blob_key ? gw.signer.sign(`/v1/files/${task.id}/video.mp4`) : null);
}

/** The public task body: what GET /v1/tasks/{id} answers and what webhooks deliver. */
export function renderTask(gw: Gateway, task: Task): Record<string, unknown> {
  return taskView(task, videoUrlFor(gw), gw.config.retentionSeconds);
}

export function sendTask(gw: Gateway, reply: FastifyReply, task: Task): Record<string, unknown> {
  reply.headers(taskHeaders(gw, task));
  return renderTask(gw, task);
}

const NOT_CANCELLABLE: Record<Extract<CancelResult, { kind: 'not_cancellable' }>['reason'], (t: Task) => string> = {
  terminal: (t) => `Task is already ${t.state}; only pending or queued tasks can be cancelled.`,
  submitting: () => 'Task is being submitted upstream right now; retry the cancel in a moment.',
  finishing: () => 'Task has already finished upstream and is being stored.',
  not_supported: (t) => `Task is already processing upstream and ${t.model} cannot be cancelled once submitted.`,
  refused: () => 'The upstream refused to cancel the task (it has probably started running).',
  finished_meanwhile: () => 'The task finished upstream before the cancel took effect.',
};

const KEY = { config: { auth: 'key' as const } };

const STATUSES = ['pending', 'processing', 'completed', 'failed'] as const;

function listFilter(q: Record<string, unknown>): TaskListFilter {
  const one = (name: string) => queryValue(q, name);
  const status = one('status');
  if (status !== undefined && !STATUSES.includes(status as (typeof STATUSES)[number])) {
    throw badRequest('status', `'status' must be one of ${STATUSES.join(', ')}.`, 'invalid_value', { allowed_values: [...STATUSES] });
  }
  const limit = pageLimit(q);
  return { status: status as TaskListFilter['status'], model: one('model'), limit, after: one('after') };
}

export function registerTaskRoutes(app: FastifyInstance, gw: Gateway): void {
  const read = async (req: FastifyRequest<{ Params: { id: string }; Querystring: { wait?: unknown } }>, reply: FastifyReply) => readTask(gw, callerKey(req), req, reply);
  app.get('/v1/tasks/:id', KEY, read);
  app.get('/v1/videos/generations/:id', KEY, read);
  app.get('/v1/tasks/:id/events', KEY, async (req: FastifyRequest<{ Params: { id: string } }>, reply) => streamTask(gw, callerKey(req), req, reply));

  // The calling key's tasks, newest first; `after` is the last id of the previous page.
  app.get('/v1/tasks', KEY, async (req: FastifyRequest<{ Querystring: Record<string, unknown> }>) => {
    const key = callerKey(req);
    const filter = listFilter(req.query ?? {});
    const page = await gw.tasks.list(key, filter);
    return { object: 'list', data: page.tasks.map((t) => renderTask(gw, t)), has_more: page.next !== null, next_after: page.next };
  });

  app.delete('/v1/tasks/:id', KEY, async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const key = callerKey(req);
    const result = await gw.tasks.cancel(key, req.params.id);
    if (result.kind === 'not_found') throw taskNotFound();
    if (result.kind === 'not_cancellable') throw new ApiError(409, 'invalid_request_error', 'task_not_cancellable', NOT_CANCELLABLE[result.reason](result.task), 'id');
    return sendTask(gw, reply, result.task);
  });
}
