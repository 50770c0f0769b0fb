import { ApiError } from '../contract/errors.js';
import type { TaskRow } from '../store/schema.js';
import { mediaContext, type EngineDeps } from './context.js';

const CANCELLED_MESSAGE = 'Task cancelled before execution';

function notCancellable(message: string): ApiError {
  return new ApiError(409, 'invalid_request_error', 'task_not_cancellable', message, 'id');
}

/**
 * Cancels a task on its owner's request. Not yet submitted: always. Submitted: only when the
 * provider can cancel upstream and confirms it. Terminal: 409.
 */
export async function cancelTask(deps: Pick<EngineDeps, 'store' | 'catalog' | 'adapters' | 'loadMedia' | 'probeBytes' | 'fitImage'>, row: TaskRow): Promise<TaskRow> {
  const now = Math.floor(Date.now() / 1000);
  const cancelledPatch = { state: 'failed' as const, cancelled: 1, error_code: 'task_cancelled', error_message: CANCELLED_MESSAGE, progress: null, updated: now, lease_owner: null, lease_until: null };
  if (row.state === 'completed' || row.state === 'failed') {
    throw notCancellable(`Task is already ${row.state}; only pending or queued tasks can be cancelled.`);
  }
  if (row.state === 'pending') {
    if (await deps.store.finishTask(row.id, cancelledPatch, { state: 'pending' })) return (await deps.store.getTask(row.id)) as TaskRow;
    const fresh = (await deps.store.getTask(row.id)) as TaskRow;
    return cancelTask(deps, fresh); // it moved on meanwhile: decide again from its new state
  }
  if (row.state === 'submitting' || row.state === 'finishing') {
    throw notCancellable(row.state === 'submitting' ? 'Task is being submitted upstream right now; retry the cancel in a moment.' : 'Task has already finished upstream and is being stored.');
  }
  const spec = deps.catalog.get(row.model);
  const adapter = deps.adapters[row.provider as keyof typeof deps.adapters];
  if (!spec?.cancellable_upstream || !adapter?.cancel || row.upstream_id === null) {
    throw notCancellable(`Task is already processing upstream and ${row.model} cannot be cancelled once submitted.`);
  }
  const confirmed = await adapter.cancel(row.upstream_id, mediaContext(deps, 15_000)).catch(() => false);
  if (!confirmed) throw notCancellable('The upstream refused to cancel the task (it has probably started running).');
  if (!(await deps.store.finishTask(row.id, cancelledPatch, { state: 'processing' }))) {
    // The job finished upstream between our read and the cancel: it completes and is billed as produced.
    throw notCancellable('The task finished upstream before the cancel took effect.');
  }
  return (await deps.store.getTask(row.id)) as TaskRow;
}
