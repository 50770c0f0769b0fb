import type { Task, TaskState } from '../store/types.js';

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

const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * When a completed task's stored video is deleted, in Unix seconds; null for a task that is not
 * completed. While the file is kept: its completion plus the retention period. Once it is gone: the
 * time it went (output_expired_ms), a past time that stays, so a client reading the task later sees
 * when its video went away instead of a null. Both ways a file goes stamp that time: the retention
 * sweep, and its owner's DELETE /v1/videos/{id} (tasks/delete-output.ts), for which it is the time of
 * the DELETE, not the retention time the file never reached. One value for both views (TokenLab's
 * video_expires_at, the OpenAI Video's expires_at).
 */
export function videoExpiresAt(task: Task, retentionSeconds: number): number | null {
  if (task.state !== 'completed' || task.completed_ms === null) return null;
  return task.output_expired_ms !== null ? seconds(task.output_expired_ms) : seconds(task.completed_ms) + retentionSeconds;
}

/**
 * The public task object (VideoTaskResponse). Built from the stored task only: reading a task
 * never touches the upstream. `videoUrl` signs the stored output's gateway URL.
 */
export function taskView(task: Task, videoUrl: (task: Task) => string | null, retentionSeconds?: number): Record<string, unknown> {
  const status = publicStatus(task.state);
  const body: Record<string, unknown> = {
    id: task.id,
    task_id: task.id,
    poll_url: pollUrl(task.id),
    object: 'video.generation.task',
    status,
    model: task.model,
    operation: task.operation,
    created: seconds(task.created_ms),
    updated: seconds(task.updated_ms),
  };
  if (status === 'processing' && task.progress !== null) body.progress = task.progress;
  if (status === 'completed') {
    body.progress = 100;
    if (task.billing_transaction_id) body.billing_transaction_id = task.billing_transaction_id;
    const url = videoUrl(task);
    const expiresAt = retentionSeconds === undefined ? null : videoExpiresAt(task, retentionSeconds);
    if (url !== null && task.video) {
      body.video_url = url;
      body.video = { url, duration: task.video.duration_s, width: task.video.width, height: task.video.height };
      body.has_audio = task.video.has_audio;
      if (expiresAt !== null) body.video_expires_at = expiresAt;
    }
    if (task.output_expired_ms !== null) {
      // The row is kept after retention (or its owner) deleted the file: say so instead of pretending there is a video.
      body.video_expired = true;
      body.video_expired_at = seconds(task.output_expired_ms);
      if (expiresAt !== null) body.video_expires_at = expiresAt;
    }
  }
  if (status === 'failed') {
    body.error = { code: task.error?.code ?? 'upstream_error', message: task.error?.message ?? 'The task failed.' };
    if (task.cancelled) {
      body.cancelled = true;
      body.cancellation_status = 'cancelled';
    }
  }
  return body;
}

/** The create answer: the task identity and where to poll. */
export function createdView(task: Task): Record<string, unknown> {
  return {
    id: task.id,
    task_id: task.id,
    poll_url: pollUrl(task.id),
    status: publicStatus(task.state),
    model: task.model,
    created: seconds(task.created_ms),
  };
}
