import type { BlobStore } from '../blobs/types.js';
import type { ApiKey, Store, Task } from '../store/types.js';
import type { TaskService } from './service.js';

/** `deletedBlob`: the stored file this call deleted (null when there was none left to delete). */
export type DeleteOutcome = { kind: 'deleted'; task: Task; deletedBlob: string | null } | { kind: 'not_found' } | { kind: 'still_running'; task: Task };

/**
 * Deletes a task's stored video on its owner's request (the OpenAI Videos API's DELETE): a task
 * still running is cancelled first (if it cannot be, it is left alone). The task itself is kept,
 * as retention keeps it, because its ledger entries refer to it, and marked deleted: the OpenAI
 * routes no longer show it. Deleting twice is fine.
 */
export async function deleteOutput(deps: { tasks: TaskService; store: Store; blobs: BlobStore; now?: () => number }, key: ApiKey, id: string): Promise<DeleteOutcome> {
  const task = await deps.tasks.get(key, id);
  if (!task) return { kind: 'not_found' };
  if (task.state !== 'completed' && task.state !== 'failed') {
    const cancel = await deps.tasks.cancel(key, id);
    if (cancel.kind === 'not_found') return cancel;
    if (cancel.kind === 'not_cancellable' && cancel.task.state !== 'completed' && cancel.task.state !== 'failed') return { kind: 'still_running', task: cancel.task };
    return deleteOutput(deps, key, id);
  }
  const blobKey = task.video?.blob_key;
  const deleting = blobKey && task.output_expired_ms === null ? blobKey : null;
  const now = deps.now?.() ?? Date.now();
  if (deleting) {
    // The blob goes first: a crash in between leaves a row whose file is gone, as retention does.
    await deps.blobs.delete(deleting);
    await deps.store.tasks.markOutputExpired(id, now);
  }
  // Marked last: a crash before it leaves the video visible, and a retried DELETE finishes the job.
  if (task.deleted_ms === null) await deps.store.tasks.markDeleted(id, now);
  return { kind: 'deleted', task: (await deps.store.tasks.get(id)) ?? task, deletedBlob: deleting };
}
