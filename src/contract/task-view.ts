import type { TaskRow, TaskState } from '../store/schema.js';

export type PublicStatus = 'pending' | 'processing' | 'completed' | 'failed';

export function publicStatus(state: TaskState): PublicStatus {
  switch (state) {
    case 'pending':
    case 'submitting':
      return 'pending';
    case 'processing':
    case 'finishing':
      return 'processing';
    default:
      return state;
  }
}

export function pollUrl(id: string): string {
  return `/v1/tasks/${id}`;
}

/**
 * The public task object (VideoTaskResponse). Built from the stored row only: reading a task
 * never touches the upstream. `videoUrl` signs the stored output's gateway URL.
 */
export function taskView(row: TaskRow, videoUrl: (row: TaskRow) => string | null, retentionSeconds?: number): Record<string, unknown> {
  const status = publicStatus(row.state);
  const body: Record<string, unknown> = {
    id: row.id,
    task_id: row.id,
    poll_url: pollUrl(row.id),
    object: 'video.generation.task',
    status,
    model: row.model,
    operation: row.operation,
    created: row.created,
    updated: row.updated,
  };
  if (status === 'processing' && row.progress !== null) body.progress = row.progress;
  if (status === 'completed') {
    body.progress = 100;
    if (row.billing_transaction_id) body.billing_transaction_id = row.billing_transaction_id;
    const url = videoUrl(row);
    if (url !== null) {
      body.video_url = url;
      body.video = {
        url,
        duration: row.video_duration ?? 0,
        width: row.video_width ?? 0,
        height: row.video_height ?? 0,
      };
      body.has_audio = row.video_has_audio === 1;
      if (retentionSeconds !== undefined && row.completed_at !== null) body.video_expires_at = row.completed_at + retentionSeconds;
    }
    if (row.output_expired_at !== null) {
      // The row is kept after retention deleted the file: say so instead of pretending there is a video.
      body.video_expired = true;
      body.video_expired_at = row.output_expired_at;
    }
  }
  if (status === 'failed') {
    body.error = { code: row.error_code ?? 'upstream_error', message: row.error_message ?? 'The task failed.' };
    if (row.cancelled === 1) {
      body.cancelled = true;
      body.cancellation_status = 'cancelled';
    }
  }
  return body;
}

/** The create answer: the task identity and where to poll. */
export function createdView(row: TaskRow): Record<string, unknown> {
  return {
    id: row.id,
    task_id: row.id,
    poll_url: pollUrl(row.id),
    status: publicStatus(row.state),
    model: row.model,
    created: row.created,
  };
}
