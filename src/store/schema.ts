/**
 * The tables as SQL sees them. Only src/store reads these shapes: everything outside gets the domain
 * types of ./types.ts (booleans as booleans, JSON parsed). Every time column is epoch milliseconds
 * and says so with `_ms`; durations say their unit too (`_s`, `_ms`).
 */

export interface ApiKeysTable {
  id: string;
  name: string;
  /** sha256 hex of the secret; the secret itself is never stored. */
  hash: string;
  prefix: string;
  is_admin: number;
  created_ms: number;
  revoked_ms: number | null;
  balance_usd: number | null;
  spend_limit_usd: number | null;
  reserved_usd: number;
  spent_usd: number;
  rpm_limit: number | null;
  webhook_url: string | null;
  webhook_secret: string | null;
}

export interface TasksTable {
  id: string;
  owner_key_id: string;
  model: string;
  provider: string;
  operation: string;
  state: string;
  request_json: string;
  upstream_model: string;
  upstream_id: string | null;
  progress: number | null;
  error_code: string | null;
  error_message: string | null;
  cancelled: number;
  created_ms: number;
  updated_ms: number;
  submitted_ms: number | null;
  completed_ms: number | null;
  output_expired_ms: number | null;
  deleted_ms: number | null;
  outputs_json: string | null;
  video_blob: string | null;
  video_duration_s: number | null;
  video_width: number | null;
  video_height: number | null;
  video_has_audio: number | null;
  estimated_cost_usd: number;
  cost_usd: number | null;
  billing_transaction_id: string | null;
  callback_url: string | null;
  /** The channel the task was (or is being) submitted through; null before migration 008 or while pending. */
  channel_id: string | null;
  /** Bumped by every change: the ETag, and how waiters tell a change from a repeat. */
  version: number;
}

export interface LedgerTable {
  id: string;
  key_id: string;
  task_id: string | null;
  kind: string;
  amount_usd: number;
  model: string | null;
  /** UTC date (YYYY-MM-DD), for usage by day. */
  day: string;
  created_ms: number;
}

export interface IdempotencyKeysTable {
  owner_key_id: string;
  idem_key: string;
  body_hash: string;
  task_id: string;
  created_ms: number;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface WebhookEventsTable {
  id: string;
  task_id: string;
  owner_key_id: string;
  event_type: string;
  url: string;
  created_ms: number;
  status: string;
  round: number;
  round_attempts: number;
  attempt_count: number;
  /** Shown in the delivery log; the work queue's due time is what actually schedules the attempt. */
  next_attempt_ms: number | null;
  last_response_status: number | null;
  last_error: string | null;
  delivered_ms: number | null;
}

export interface WebhookAttemptsTable {
  id: string;
  event_id: string;
  attempt: number;
  trigger: string;
  started_ms: number;
  duration_ms: number;
  response_status: number | null;
  error: string | null;
  succeeded: number;
}

/**
 * The leased work queue shared by the engine's lanes and webhook delivery. An item is claimable
 * when `due_ms` has passed: claiming sets `lease_owner` and pushes `due_ms` to the lease's end, so an
 * expired lease makes the item claimable again without any other bookkeeping.
 */
export interface WorkItemsTable {
  queue: string;
  item_id: string;
  /** Fairness group inside the queue (e.g. provider + API key); '' when the queue is not fair. */
  partition_key: string;
  /** What a partition belongs to for capacity (e.g. the provider). */
  group_key: string;
  due_ms: number;
  lease_owner: string | null;
  /** Attempts of the current step, for backoff. */
  attempts: number;
}

/**
 * One row per (fair queue, partition): a lower bound of the earliest due time among its unleased
 * items (far in the future when it has none), when it was last served and how much of it is in
 * flight. Fair claims read these few rows instead of scanning the items.
 */
export interface WorkPartitionsTable {
  queue: string;
  partition_key: string;
  group_key: string;
  head_due_ms: number;
  served_ms: number;
  in_flight: number;
}

/**
 * How an upstream callback finds its task (migration 009): per channel, the sha256 of the task's
 * callback token (or, for a provider's project-level webhook, of `job:<upstream id>`), and when a
 * callback last made the task's poll due (so a flood costs at most one extra poll per interval).
 */
export interface UpstreamCallbacksTable {
  channel_id: string;
  ref_hash: string;
  task_id: string;
  created_ms: number;
  last_poke_ms: number | null;
}

export interface Database {
  api_keys: ApiKeysTable;
  tasks: TasksTable;
  idempotency_keys: IdempotencyKeysTable;
  ledger: LedgerTable;
  meta: MetaTable;
  webhook_events: WebhookEventsTable;
  webhook_attempts: WebhookAttemptsTable;
  work_items: WorkItemsTable;
  work_partitions: WorkPartitionsTable;
  upstream_callbacks: UpstreamCallbacksTable;
}
