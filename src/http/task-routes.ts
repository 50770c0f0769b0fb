import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { taskNotFound } from '../contract/errors.js';
import { isTaskId } from '../contract/ids.js';
import { taskView } from '../contract/task-view.js';
import { lifecycleHeaders } from '../catalog/lifecycle.js';
import { cancelTask } from '../engine/cancel.js';
import type { TaskRow } from '../store/schema.js';
import type { Gateway } from './gateway.js';

/** Loads a task the caller owns; another key's task is answered exactly like a missing one. */
export async function ownedTask(gw: Gateway, req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): Promise<TaskRow> {
  const key = await gw.auth.authenticate(req, reply);
  const id = req.params.id;
  if (!isTaskId(id)) throw taskNotFound();
  const row = await gw.store.getTask(id);
  if (!row || row.owner_key_id !== key.id) throw taskNotFound();
  return row;
}

export function videoUrlFor(gw: Gateway) {
  return (row: TaskRow): string | null => (row.video_blob ? gw.signer.sign(`/v1/files/${row.id}/video.mp4`) : null);
}

/** The public task body: what GET /v1/tasks/{id} answers and what webhooks deliver. */
export function renderTask(gw: Gateway, row: TaskRow): Record<string, unknown> {
  return taskView(row, videoUrlFor(gw), gw.config.retentionSeconds);
}

export function sendTask(gw: Gateway, reply: FastifyReply, row: TaskRow): Record<string, unknown> {
  reply.header('X-Task-ID', row.id);
  if (row.billing_transaction_id) reply.header('X-Billing-Transaction-ID', row.billing_transaction_id);
  const model = gw.catalog.byId(row.model);
  if (model) reply.headers(lifecycleHeaders(model, Date.now())); // Deprecation / Sunset / Link for a deprecated or retired model
  return renderTask(gw, row);
}

export function registerTaskRoutes(app: FastifyInstance, gw: Gateway): void {
  const read = async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => sendTask(gw, reply, await ownedTask(gw, req, reply));
  app.get('/v1/tasks/:id', read);
  app.get('/v1/videos/generations/:id', read);

  app.delete('/v1/tasks/:id', async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const row = await ownedTask(gw, req, reply);
    const after = await cancelTask(gw.engineDeps, row);
    return sendTask(gw, reply, after);
  });
}
