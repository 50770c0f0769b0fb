import type { ResolvedVideoRequest } from '../contract/video-request.js';

/**
 * Domain types and the repositories that keep them. Callers never see SQL or rows: booleans are
 * booleans, JSON is parsed, and every time is epoch milliseconds named `_ms`.
 */

/**
 * Internal task states. Public status is derived: pending|submitting → pending,
 * processing|finishing → processing, completed, failed.
 */
export const TASK_STATES = ['pending', 'submitting', 'processing', 'finishing', 'completed', 'failed'] as const;
export type TaskState = (typeof TASK_STATES)[number];
export const TERMINAL_STATES: readonly TaskState[] = ['completed', 'failed'];
/** States in which a job exists (or may exist) upstream: they count against provider concurrency. */
export const IN_FLIGHT_STATES: readonly TaskState[] = ['submitting', 'processing', 'finishing'];

export function isTerminal(state: TaskState): boolean {
  return state === 'completed' || state === 'failed';
}

/**
 * The upstream id of `draft` if `promoter` may promote it (Seedance's draft flow): a completed draft
 * task (draft=true) of the same key and model that reached the upstream; else null.
 */
export function promotableDraftUpstreamId(draft: Task | undefined, promoter: Pick<Task, 'owner_key_id' | 'model'>): string | null {
  if (!draft || draft.owner_key_id !== promoter.owner_key_id || draft.model !== promoter.model) return null;
  if (draft.state !== 'completed' || draft.request.draft !== true) return null;
  return draft.upstream_id;
}

export interface ApiKey {
  id: string;
  name: string;
  /** sha256 hex of the secret. */
  hash: string;
  /** First characters of the secret, to help people recognise a key in lists. */
  prefix: string;
  is_admin: boolean;
  created_ms: number;
  revoked_ms: number | null;
  /** Prepaid credit in USD; null = no balance tracking (postpaid / unlimited). */
  balance_usd: number | null;
  /** Cap on spent + reserved; null = no cap. */
  spend_limit_usd: number | null;
  /** Estimates held for tasks not yet settled. */
  reserved_usd: number;
  spent_usd: number;
  /** Per-key requests per minute; null = the gateway default. */
  rpm_limit: number | null;
  /** Default callback for this key's tasks. */
  webhook_url: string | null;
  /** The whsec_ secret this key's webhooks are signed with. */
  webhook_secret: string | null;
}

export interface TaskFailure {
  code: string;
  message: string;
}

/** The stored output and what probing it found. */
export interface TaskVideo {
  /** Blob storage key; null once retention deleted the file (the metadata stays). */
  blob_key: string | null;
  duration_s: number;
  width: number;
  height: number;
  has_audio: boolean;
}

export interface Task {
  id: string;
  owner_key_id: string;
  model: string;
  provider: string;
  operation: string;
  state: TaskState;
  /** The resolved request the adapter maps upstream. */
  request: ResolvedVideoRequest;
  upstream_model: string;
  upstream_id: string | null;
  progress: number | null;
  error: TaskFailure | null;
  cancelled: boolean;
  created_ms: number;
  updated_ms: number;
  submitted_ms: number | null;
  completed_ms: number | null;
  output_expired_ms: number | null;
  /** When its owner deleted the video (OpenAI's DELETE): gone from the OpenAI routes, kept for its ledger entries. */
  deleted_ms: number | null;
  /** What the upstream reported on success (adapter-shaped JSON), consumed by the finisher. */
  outputs: unknown[] | null;
  video: TaskVideo | null;
  estimated_cost_usd: number;
  cost_usd: number | null;
  /** Ledger id of the settlement, once completed. */
  billing_transaction_id: string | null;
  /** Where this task's completed/failed event is delivered (the create's callback_url or the key's default). */
  callback_url: string | null;
  /**
   * The channel this task is pinned to, set before its create is sent (so polls, downloads, cancel
   * and crash recovery use the same credentials): null when nothing was sent (pending, or claimed
   * but not yet sent); PRE_CHANNEL_PIN for tasks sent before channels existed.
   */
  channelId: string | null;
  /** Bumped by every change (the ETag). */
  version: number;
}

/**
 * The pin of tasks sent before channels existed (migration 008): they went through their provider's
 * default channel, and are read as pinned to it. Not a valid channel id, so it names none.
 */
export const PRE_CHANNEL_PIN = '~default';

/** A task as it is first stored (the store fills in state, version and the rest). */
export type NewTask = Pick<Task, 'id' | 'owner_key_id' | 'model' | 'provider' | 'operation' | 'request' | 'upstream_model' | 'estimated_cost_usd' | 'callback_url' | 'created_ms'>;

export type LedgerKind = 'reserve' | 'settle' | 'release' | 'credit' | 'adjust';

/** Every money movement of a key. Ledger ids double as billing_transaction_id (txn_ + 24 hex). */
export interface LedgerEntry {
  id: string;
  key_id: string;
  task_id: string | null;
  kind: LedgerKind;
  amount_usd: number;
  model: string | null;
  /** UTC date (YYYY-MM-DD). */
  day: string;
  created_ms: number;
}

export interface UsageRow {
  key_id: string;
  day: string;
  model: string;
  requests: number;
  cost_usd: number;
}

/** How long an Idempotency-Key replays its first create. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;

/** An Idempotency-Key record: the first create with (key, idem_key) wins. */
export interface IdempotencyRecord {
  owner_key_id: string;
  idem_key: string;
  /**
   * The parsed request's fingerprint, to tell a true retry from a reused key (tasks/request-fingerprint.ts);
   * in records stored by earlier releases, a bare sha256 of the canonical body.
   */
  body_hash: string;
  task_id: string;
  created_ms: number;
}

/** A reservation the key's prepaid balance or spend limit cannot cover (nothing was written). */
export type BudgetRefusal = { kind: 'insufficient_balance'; balanceUsd: number; availableUsd: number } | { kind: 'quota_exceeded'; limitUsd: number; remainingUsd: number };

/** What creating a task did: reservation, task and idempotency record are one transaction. */
export type CreateOutcome = { kind: 'created'; task: Task } | { kind: 'replay'; record: IdempotencyRecord } | BudgetRefusal;

/** What re-pricing a submission did: the new reservation held, refused by the budget, or the submission no longer ours. */
export type RepriceOutcome = { kind: 'reserved'; reservedUsd: number } | BudgetRefusal | { kind: 'lost' };

/** The largest balance a key may hold, however it is reached (set or topped up). */
export const MAX_BALANCE_USD = 1e9;

/**
 * A balance change the rules refuse (thrown by updateKeyLimits; nothing is written):
 * `below_reserved` — the new balance would not cover what tasks in flight have reserved;
 * `above_cap` — it would exceed MAX_BALANCE_USD.
 */
export class BalanceRefused extends Error {
  constructor(
    readonly reason: 'below_reserved' | 'above_cap',
    readonly param: 'balance_usd' | 'add_balance_usd',
    readonly reservedUsd: number,
  ) {
    super(`balance change refused: ${reason}`);
    this.name = 'BalanceRefused';
  }
}

export interface KeyLimitsPatch {
  balance_usd?: number | null;
  /** Adds to the balance (a top-up); recorded as a credit in the ledger. */
  add_balance_usd?: number;
  spend_limit_usd?: number | null;
  rpm_limit?: number | null;
  webhook_url?: string | null;
}

/** Balance rules refused: nothing was written (see BalanceRefused). */
export type KeyUpdateOutcome = { kind: 'updated'; key: ApiKey } | { kind: 'not_found' } | { kind: 'refused'; refusal: BalanceRefused };

export interface TaskListFilter {
  /** Public statuses. */
  status?: 'pending' | 'processing' | 'completed' | 'failed';
  model?: string;
  limit: number;
  /** Cursor: the id of the last task of the previous page. */
  after?: string;
  /** Newest first (default) or oldest first. */
  order?: 'asc' | 'desc';
  /** Leave out the videos their owner deleted (the OpenAI list does, as OpenAI does). */
  hideDeleted?: boolean;
}

/** The engine's lanes: each is a queue of the work queue. */
export type Lane = 'submit' | 'poll' | 'finish';

/** A task claimed by a worker for one step, with the step's attempt count. */
export interface ClaimedTask {
  task: Task;
  lane: Lane;
  attempts: number;
}

/** What a step decided about a task, applied atomically if the worker still holds its lease. */
export interface TaskTransition {
  /** The state the step saw; the write only happens if the task is still in it. */
  from: TaskState;
  to: TaskState;
  patch?: TaskPatch;
  /** The lane and time of the next step; null when the task is terminal (or waits for nothing). */
  next: { lane: Lane; due_ms: number; attempts: number } | null;
}

/** Fields a step may change (state goes through TaskTransition). */
export type TaskPatch = Partial<Pick<Task, 'channelId' | 'upstream_id' | 'progress' | 'error' | 'cancelled' | 'submitted_ms' | 'completed_ms' | 'outputs' | 'video' | 'cost_usd'>>;

export interface ClaimOptions {
  now_ms: number;
  limit: number;
  owner: string;
  lease_ms: number;
}

/**
 * Admission for fair submission claims: asked once per task before it is claimed, with the provider's
 * tasks in flight across all nodes (capacity, rate, breaker); `refund` gives back what an admission
 * took when no task could be claimed after all.
 */
export interface Admission {
  admit(provider: string, inFlight: number): boolean;
  refund(provider: string): void;
}

export interface KeyRepository {
  insert(key: ApiKey): Promise<void>;
  /** Stores the admin key generated on first start, `announce` first, unless one was generated before (false). */
  insertGenerated(key: ApiKey, announce: () => void): Promise<boolean>;
  findByHash(hash: string): Promise<ApiKey | undefined>;
  get(id: string): Promise<ApiKey | undefined>;
  list(): Promise<ApiKey[]>;
  /** Returns false when no active key has that id. */
  revoke(id: string, now_ms: number): Promise<boolean>;
  countAdmins(): Promise<number>;
  /**
   * Balance, limits and default webhook; balance changes are written to the ledger. A prepaid
   * balance never drops below what tasks in flight have reserved nor exceeds MAX_BALANCE_USD.
   */
  updateLimits(id: string, patch: KeyLimitsPatch, now_ms: number): Promise<KeyUpdateOutcome>;
  /** The key's webhook signing secret; keys from before webhooks get one on first use. */
  webhookSecret(id: string, generate: () => string): Promise<string | undefined>;
  rotateWebhookSecret(id: string, secret: string): Promise<boolean>;
}

export interface TaskRepository {
  /**
   * The task, from this store's short cache when it holds it (see TaskCache), else the database.
   * `fresh`: always from the database — for what must not lag another node's or thread's commit by
   * the moments until its change notice arrives (a webhook sent because the task finished).
   */
  get(id: string, opts?: { fresh?: boolean }): Promise<Task | undefined>;
  /** The key's tasks, newest first. */
  listForOwner(ownerKeyId: string, filter: TaskListFilter): Promise<Task[]>;
  /**
   * Creates a task in one transaction: replays an idempotency record for the same (owner, key)
   * created at or after `idem.since_ms`; else reserves the estimate against the key's balance and
   * spend limit, inserts the task and queues its submission. Concurrent creates are committed together.
   */
  create(task: NewTask, idem?: { key: string; body_hash: string; since_ms: number }): Promise<CreateOutcome>;
  /** Claims due work of a lane (oldest first); for `submit`, only interrupted submissions (expired leases). */
  claim(lane: Lane, opts: ClaimOptions): Promise<ClaimedTask[]>;
  /**
   * Claims pending tasks fairly: round-robin across (provider, API key) queues, the key with the
   * fewest tasks in flight first; each claimed task becomes `submitting` in the same transaction.
   */
  claimPending(opts: ClaimOptions & { admission: Admission }): Promise<ClaimedTask[]>;
  /**
   * Pins a submission to a channel before its create is sent (so a crash mid-call is recovered
   * through the same channel), counting it toward that channel's jobs in flight: `full` when that
   * would pass `cap` (exact across nodes), `lost` when `owner` no longer holds the submission.
   */
  pinChannel(claimed: ClaimedTask, owner: string, channelId: string, cap: number | undefined): Promise<'pinned' | 'full' | 'lost'>;
  /** Jobs in flight per channel, across every node (channels with none are absent). */
  inFlightByChannel(): Promise<Record<string, number>>;
  /**
   * Re-prices a submission before anything is sent upstream (e.g. its output follows a source video
   * only now measured): the task's reservation becomes `estimateUsd` in one transaction — a raise
   * only if the key's balance and spend limit cover it, checked like a create's — with a ledger row
   * for the difference. `lost` when `owner` no longer holds the submission.
   */
  reprice(claimed: ClaimedTask, owner: string, estimateUsd: number, now_ms: number): Promise<RepriceOutcome>;
  /**
   * Applies a step's decision if `owner` still holds the task's lease and it is still in `from`. A
   * task that ends settles (its cost, never more than its reservation) or releases its reservation.
   */
  transition(claimed: ClaimedTask, owner: string, change: TaskTransition, now_ms: number): Promise<boolean>;
  /**
   * Cancels a task on its owner's request, from `pending` or (after the upstream confirmed)
   * `processing`: failed + cancelled, its reservation released. False when it is no longer in `from`.
   */
  cancel(id: string, from: 'pending' | 'processing', failure: TaskFailure, now_ms: number): Promise<boolean>;
  /** Pushes out the leases `owner` holds on these tasks (a heartbeat while work is in flight). */
  extendLeases(lane: Lane, ids: string[], owner: string, until_ms: number): Promise<number>;
  /** Frees what `owner` holds (shutdown), except submissions in flight: those expire into recovery. */
  releaseLeases(owner: string, now_ms: number): Promise<number>;
  /** Tasks in flight upstream per provider, across all nodes. */
  inFlightByProvider(): Promise<Record<string, number>>;
  /** Completed tasks whose stored output is older than `completedBefore_ms`, not yet deleted. */
  expiredOutputs(completedBefore_ms: number, limit: number): Promise<Task[]>;
  markOutputExpired(id: string, now_ms: number): Promise<boolean>;
  /** Marks a finished task deleted by its owner (once: a second call changes nothing). */
  markDeleted(id: string, now_ms: number): Promise<boolean>;
  /** Unfinished tasks by state (for metrics). */
  countActiveByState(): Promise<Record<string, number>>;
}

export interface LedgerRepository {
  entriesFor(keyId: string): Promise<LedgerEntry[]>;
  /** Settled spend by key, UTC day and model, for days in [fromDay, toDay]; all keys when keyId is null. */
  usage(keyId: string | null, fromDay: string, toDay: string): Promise<UsageRow[]>;
}

export interface IdempotencyRepository {
  find(ownerKeyId: string, idemKey: string): Promise<IdempotencyRecord | undefined>;
  /** Forgets records created before `before_ms` (their window has passed). */
  purge(before_ms: number): Promise<number>;
}

export interface MetaRepository {
  get(key: string): Promise<string | undefined>;
  /** Sets key only if unset; returns the value stored afterwards. */
  setIfAbsent(key: string, value: string): Promise<string>;
}

export type WebhookStatus = 'pending' | 'delivered' | 'failed';
export type AttemptTrigger = 'initial' | 'retry' | 'redeliver';

export interface WebhookEvent {
  /** The webhook-id header: the same on every retry and redelivery. */
  id: string;
  task_id: string;
  owner_key_id: string;
  event_type: string;
  url: string;
  created_ms: number;
  status: WebhookStatus;
  /** Bumped by each redeliver; an attempt begun in an earlier round does not reschedule. */
  round: number;
  /** Attempts made in the current round: the position in the retry schedule. */
  round_attempts: number;
  attempt_count: number;
  next_attempt_ms: number | null;
  last_response_status: number | null;
  last_error: string | null;
  delivered_ms: number | null;
}

export interface WebhookAttempt {
  id: string;
  event_id: string;
  /** 1-based over the event's life. */
  attempt: number;
  trigger: AttemptTrigger;
  started_ms: number;
  duration_ms: number;
  response_status: number | null;
  error: string | null;
  succeeded: boolean;
}

/** An event leased to one worker for one attempt. */
export interface ClaimedEvent {
  event: WebhookEvent;
  attempt: number;
  trigger: AttemptTrigger;
}

export interface AttemptOutcome {
  started_ms: number;
  duration_ms: number;
  response_status: number | null;
  error: string | null;
  succeeded: boolean;
  /** When to try again, or null when there is no next attempt (delivered or given up). */
  next_attempt_ms: number | null;
}

export interface WebhookRepository {
  /**
   * Claims due deliveries fairly across API keys (least recently served first); `admit` may refuse a
   * key (e.g. it already holds its share of this node's slots).
   */
  claim(opts: ClaimOptions & { admit: (ownerKeyId: string) => boolean }): Promise<ClaimedEvent[]>;
  /** Logs the attempt and, if `owner` still holds the lease, advances the event. */
  recordAttempt(claimed: ClaimedEvent, owner: string, outcome: AttemptOutcome): Promise<void>;
  /** Puts an event back without an attempt (e.g. its endpoint's breaker is open), due at `due_ms`. */
  postpone(claimed: ClaimedEvent, owner: string, due_ms: number): Promise<void>;
  releaseLeases(owner: string, now_ms: number): Promise<number>;
  redeliver(id: string, ownerKeyId: string, now_ms: number): Promise<WebhookEvent | undefined>;
  getForOwner(id: string, ownerKeyId: string): Promise<WebhookEvent | undefined>;
  listForOwner(ownerKeyId: string, filter: { taskId?: string; limit: number }): Promise<WebhookEvent[]>;
  attemptsFor(eventIds: string[]): Promise<WebhookAttempt[]>;
}

/**
 * What an upstream callback did: `unknown` — no such reference; `finished` — the task already ended
 * (a late callback); `throttled` — a callback made it due within the interval (a duplicate or a
 * flood); `due` — its poll is due now; `noted` — remembered, its poll being under way (or the task
 * still submitting), which then looks again.
 */
export type PokeOutcome = { kind: 'unknown' } | { kind: 'finished' | 'throttled' | 'due' | 'noted'; taskId: string };

/** Upstream callback references (token hashes, or a provider's job ids for project webhooks). */
export interface UpstreamCallbackRepository {
  /** Remembers that `refHash` on `channelId` stands for the task (again: a resubmission replaces it). */
  register(channelId: string, refHash: string, taskId: string, now_ms: number): Promise<void>;
  /** The task `refHash` stands for on `channelId`, if any. */
  taskFor(channelId: string, refHash: string): Promise<string | undefined>;
  /**
   * A callback came for `refHash`: makes the task's poll due now, at most once per `minIntervalMs`;
   * the task row itself is never written.
   */
  poke(channelId: string, refHash: string, now_ms: number, minIntervalMs: number): Promise<PokeOutcome>;
  /** Whether a callback made the task due at or after `since_ms` (it came while a poll was under way). */
  pokedSince(taskId: string, since_ms: number): Promise<boolean>;
  /** Forgets references registered before `before_ms`. */
  purge(before_ms: number): Promise<number>;
}

/** Everything persistent, one repository per concern, over SQLite or PostgreSQL. */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  keys: KeyRepository;
  tasks: TaskRepository;
  ledger: LedgerRepository;
  idempotency: IdempotencyRepository;
  meta: MetaRepository;
  webhooks: WebhookRepository;
  upstreamCallbacks: UpstreamCallbackRepository;
  /**
   * Calls `onDue()` when an upstream callback made work due now on any node (PostgreSQL
   * LISTEN/NOTIFY; on SQLite, one node, the caller wakes its own engine). Returns a stop function.
   */
  watchWorkDue(onDue: () => void): () => void;
  /**
   * Calls `onChange(taskId)` after any task changes: here, and (PostgreSQL) on other nodes, heard
   * through LISTEN/NOTIFY. Notices may repeat or (rarely, on a lost connection) be missed: watchers
   * re-read the task. Returns a function that stops watching.
   */
  watchTaskChanges(onChange: (id: string) => void): () => void;
  /**
   * The database server's clock now, in Unix ms (PostgreSQL's clock_timestamp(): the one clock every
   * node shares); null on SQLite, where the one node's clock is the only one.
   */
  databaseTimeMs(): Promise<number | null>;
  migrate(): Promise<void>;
  close(): Promise<void>;
}
