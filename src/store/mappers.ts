import type { ResolvedVideoRequest } from '../contract/video-request.js';
import { num, numOrNull } from './numbers.js';
import type { ApiKeysTable, IdempotencyKeysTable, LedgerTable, TasksTable, WebhookAttemptsTable, WebhookEventsTable } from './schema.js';
import type { ApiKey, AttemptTrigger, IdempotencyRecord, LedgerEntry, LedgerKind, Task, TaskPatch, TaskState, WebhookAttempt, WebhookEvent, WebhookStatus } from './types.js';

/** Rows become domain types here and only here. */

export function toApiKey(r: ApiKeysTable): ApiKey {
  return {
    id: r.id,
    name: r.name,
    hash: r.hash,
    prefix: r.prefix,
    is_admin: num(r.is_admin) === 1,
    created_ms: num(r.created_ms),
    revoked_ms: numOrNull(r.revoked_ms),
    balance_usd: numOrNull(r.balance_usd),
    spend_limit_usd: numOrNull(r.spend_limit_usd),
    reserved_usd: num(r.reserved_usd),
    spent_usd: num(r.spent_usd),
    rpm_limit: numOrNull(r.rpm_limit),
    webhook_url: r.webhook_url,
    webhook_secret: r.webhook_secret,
  };
}

export function fromApiKey(k: ApiKey): ApiKeysTable {
  return { ...k, is_admin: k.is_admin ? 1 : 0 };
}

/** `request`: the row's request where the caller holds it already (a create), so it is not parsed again. */
export function toTask(r: TasksTable, request?: ResolvedVideoRequest): Task {
  const stored = r.video_duration_s !== null;
  return {
    id: r.id,
    owner_key_id: r.owner_key_id,
    model: r.model,
    provider: r.provider,
    operation: r.operation,
    state: r.state as TaskState,
    request: request ?? (JSON.parse(r.request_json) as ResolvedVideoRequest),
    upstream_model: r.upstream_model,
    upstream_id: r.upstream_id,
    progress: numOrNull(r.progress),
    error: r.error_code === null ? null : { code: r.error_code, message: r.error_message ?? '' },
    cancelled: num(r.cancelled) === 1,
    created_ms: num(r.created_ms),
    updated_ms: num(r.updated_ms),
    submitted_ms: numOrNull(r.submitted_ms),
    completed_ms: numOrNull(r.completed_ms),
    output_expired_ms: numOrNull(r.output_expired_ms),
    deleted_ms: numOrNull(r.deleted_ms),
    outputs: r.outputs_json === null ? null : (JSON.parse(r.outputs_json) as unknown[]),
    video: stored ? { blob_key: r.video_blob, duration_s: num(r.video_duration_s), width: num(r.video_width), height: num(r.video_height), has_audio: num(r.video_has_audio) === 1 } : null,
    estimated_cost_usd: num(r.estimated_cost_usd),
    cost_usd: numOrNull(r.cost_usd),
    billing_transaction_id: r.billing_transaction_id,
    callback_url: r.callback_url,
    channelId: r.channel_id ?? null,
    version: num(r.version),
  };
}

/** The columns a patch changes (only the fields it names). */
export function patchColumns(p: TaskPatch): Partial<TasksTable> {
  const out: Partial<TasksTable> = {};
  if (p.channelId !== undefined) out.channel_id = p.channelId;
  if (p.upstream_id !== undefined) out.upstream_id = p.upstream_id;
  if (p.progress !== undefined) out.progress = p.progress;
  if (p.error !== undefined) {
    out.error_code = p.error?.code ?? null;
    out.error_message = p.error?.message ?? null;
  }
  if (p.cancelled !== undefined) out.cancelled = p.cancelled ? 1 : 0;
  if (p.submitted_ms !== undefined) out.submitted_ms = p.submitted_ms;
  if (p.completed_ms !== undefined) out.completed_ms = p.completed_ms;
  if (p.outputs !== undefined) out.outputs_json = p.outputs === null ? null : JSON.stringify(p.outputs);
  if (p.video !== undefined) {
    out.video_blob = p.video?.blob_key ?? null;
    out.video_duration_s = p.video?.duration_s ?? null;
    out.video_width = p.video?.width ?? null;
    out.video_height = p.video?.height ?? null;
    out.video_has_audio = p.video === null ? null : p.video.has_audio ? 1 : 0;
  }
  if (p.cost_usd !== undefined) out.cost_usd = p.cost_usd;
  return out;
}

export function toLedgerEntry(r: LedgerTable): LedgerEntry {
  return { ...r, kind: r.kind as LedgerKind, amount_usd: num(r.amount_usd), created_ms: num(r.created_ms) };
}

export function toIdempotency(r: IdempotencyKeysTable): IdempotencyRecord {
  return { ...r, created_ms: num(r.created_ms) };
}

export function toWebhookEvent(r: WebhookEventsTable): WebhookEvent {
  return {
    ...r,
    status: r.status as WebhookStatus,
    created_ms: num(r.created_ms),
    round: num(r.round),
    round_attempts: num(r.round_attempts),
    attempt_count: num(r.attempt_count),
    next_attempt_ms: numOrNull(r.next_attempt_ms),
    last_response_status: numOrNull(r.last_response_status),
    delivered_ms: numOrNull(r.delivered_ms),
  };
}

export function toWebhookAttempt(r: WebhookAttemptsTable): WebhookAttempt {
  return {
    ...r,
    trigger: r.trigger as AttemptTrigger,
    attempt: num(r.attempt),
    started_ms: num(r.started_ms),
    duration_ms: num(r.duration_ms),
    response_status: numOrNull(r.response_status),
    succeeded: num(r.succeeded) === 1,
  };
}
