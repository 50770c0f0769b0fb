import type { Generated } from 'kysely';

/**
 * Internal task states. Public status is derived: pending|submitting → pending,
 * processing|finishing → processing, completed, failed.
 */
export const TASK_STATES = ['pending', 'submitting', 'processing', 'finishing', 'completed', 'failed'] as const;
export type TaskState = (typeof TASK_STATES)[number];

export interface ApiKeysTable {
  id: string;
  name: string;
  /** sha256 hex of the secret; the secret itself is never stored. */
  hash: string;
  /** First characters of the secret, to help people recognise a key in lists. */
  prefix: string;
  is_admin: number;
  created: number;
  revoked: number | null;
  /** Prepaid credit in USD; null = no balance tracking (postpaid / unlimited). */
  balance_usd: number | null;
  /** Cap on spent + reserved; null = no cap. */
  spend_limit_usd: number | null;
  /** Estimates held for tasks not yet settled. */
  reserved_usd: number;
  spent_usd: number;
  /** Per-key requests per minute; null = the gateway default. */
  rpm_limit: number | null;
  /** Default callback for this key's tasks, and the whsec_ secret its webhooks are signed with. */
  webhook_url: string | null;
  webhook_secret: string | null;
}

export interface TasksTable {
  id: string;
  owner_key_id: string;
  model: string;
  provider: string;
  operation: string;
  state: TaskState;
  /** The resolved request (JSON) the adapter maps upstream. */
  request_json: string;
  upstream_model: string;
  upstream_id: string | null;
  progress: number | null;
  error_code: string | null;
  error_message: string | null;
  cancelled: number;
  created: number;
  updated: number;
  /** Epoch ms when the engine should next look at the task. */
  next_run_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  /** Upstream calls made for the current step (for backoff). */
  attempts: number;
  submitted_at: number | null;
  /** Upstream outputs (JSON) once the upstream reported success; consumed by the finisher. */
  outputs_json: string | null;
  video_blob: string | null;
  video_duration: number | null;
  video_width: number | null;
  video_height: number | null;
  video_has_audio: number | null;
  estimated_cost_usd: number;
  cost_usd: number | null;
  /** Ledger id of the settlement, once completed. */
  billing_transaction_id: string | null;
  /** Where this task's completed/failed event is delivered (the create's callback_url or the key's default). */
  callback_url: string | null;
  /** Unix seconds when the output was stored (retention counts from here). */
  completed_at: number | null;
  /** Unix seconds when retention deleted the stored output. */
  output_expired_at: number | null;
}

/** Every money movement of a key: reserve at create, settle on completion, release on failure, credit/adjust by admins. */
export interface LedgerTable {
  id: string;
  key_id: string;
  task_id: string | null;
  kind: 'reserve' | 'settle' | 'release' | 'credit' | 'adjust';
  amount_usd: number;
  model: string | null;
  /** UTC date (YYYY-MM-DD), for usage by day. */
  day: string;
  created: number;
}

/** Idempotency-Key records: one per (API key, client key); the first create wins. */
export interface IdempotencyKeysTable {
  owner_key_id: string;
  idem_key: string;
  /** sha256 of the canonical request body, to tell a true retry from a reused key. */
  body_hash: string;
  task_id: string;
  created: number;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface MigrationsTable {
  id: Generated<number>;
  name: string;
  applied: number;
}

export interface Database {
  api_keys: ApiKeysTable;
  tasks: TasksTable;
  idempotency_keys: IdempotencyKeysTable;
  ledger: LedgerTable;
  meta: MetaTable;
}

export type TaskRow = TasksTable;
export type ApiKeyRow = ApiKeysTable;
export type IdempotencyRow = IdempotencyKeysTable;
export type LedgerRow = LedgerTable;
