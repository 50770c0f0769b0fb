import { isTaskId } from '../contract/ids.js';
import type { Catalog } from '../catalog/catalog.js';
import { promotionOfDraft } from '../catalog/drafts.js';
import { estimateCostUsd } from '../catalog/pricing.js';
import { badRequest, draftTaskNotFound } from '../contract/errors.js';
import { quoteId } from '../contract/preview.js';
import { IDEMPOTENCY_WINDOW_MS, promotableDraftUpstreamId, type ApiKey, type NewTask, type Store, type Task, type TaskListFilter } from '../store/types.js';
import type { BlobStore } from '../blobs/types.js';
import { TaskChanges } from './changes.js';
import { type DeleteOutcome, deleteOutput } from './delete-output.js';
import { planTask } from './create.js';
import { repeatsStoredRequest, requestFingerprint } from './request-fingerprint.js';

export type CreateResult =
  /** `replayed`: an earlier create with the same Idempotency-Key and request (see request-fingerprint.ts). */
  | { kind: 'created'; task: Task; replayed: boolean }
  | { kind: 'insufficient_balance'; estimatedUsd: number; availableUsd: number }
  | { kind: 'quota_exceeded'; estimatedUsd: number; limitUsd: number; remainingUsd: number }
  /** The key was used with another request, or the task it made is gone. */
  | { kind: 'idempotency_conflict'; reason: 'body_differs' | 'task_gone' }
  /** No route to the model's provider (not built, no credentials, or every channel unavailable). */
  | { kind: 'no_channel'; model: string; provider: string; reason: string };

export type CancelResult =
  | { kind: 'cancelled'; task: Task }
  | { kind: 'not_found' }
  | { kind: 'not_cancellable'; task: Task; reason: 'terminal' | 'submitting' | 'finishing' | 'not_supported' | 'refused' | 'finished_meanwhile' };

/**
 * Whether the task's model can be reached now (a channel, the model still offered upstream); when
 * not, why. `param`: the channels are there but none can serve this request (a 400 naming it).
 */
export type ChannelCheck = (task: NewTask) => { ok: true } | { ok: false; reason: string } | { ok: false; param: string; code: string; reason: string };

/** Asks the upstream to cancel a submitted job: confirmed, refused, or not possible on its route. */
export type UpstreamCanceller = (task: Task) => Promise<'cancelled' | 'refused' | 'unsupported'>;

export interface TaskServiceDeps {
  store: Store;
  /** Where outputs are kept (deleting one on its owner's request). */
  blobs: BlobStore;
  /** Change notices for waiters (long poll, event streams). */
  changes?: TaskChanges;
  /** Open waits and streams one API key may hold at once. */
  maxWaitsPerKey?: number;
  /** A waiter re-reads its task at least this often, whatever notices say (a lost notice costs no more). */
  waitRecheckMs?: number;
  catalog: Catalog;
  channels: ChannelCheck;
  cancelUpstream: UpstreamCanceller;
  allowPrivateNetwork: boolean;
  /** A task was stored: the engine may look for work now. */
  onCreated?: (task: Task) => void;
  /** A task was cancelled (for metrics). */
  onCancelled?: (task: Task) => void;
  now?: () => number;
}

const CANCELLED = { code: 'task_cancelled', message: 'Task cancelled before execution' };

/** How long a cancel waits for a submission in flight to come back before answering 409. */
const SUBMISSION_WAIT_MS = 5_000;

/**
 * The application's use cases, for every front door (TokenLab routes, the OpenAI-compatible API,
 * the playground): the same validation, idempotency, billing and ownership rules everywhere.
 * Outcomes are plain values; the HTTP room decides what they look like on the wire.
 */
export class TaskService {
  readonly changes: TaskChanges;
  private readonly openWaits = new Map<string, number>();
  /** Aborted at shutdown: every wait answers at once, every stream ends. */
  private readonly closing = new AbortController();

  constructor(private readonly deps: TaskServiceDeps) {
    this.changes = deps.changes ?? new TaskChanges();
  }

  /**
   * Reserves one of the key's open waits/streams; returns the release function, or null when the
   * key already holds its limit.
   */
  acquireWait(key: ApiKey): (() => void) | null {
    const held = this.openWaits.get(key.id) ?? 0;
    if (held >= (this.deps.maxWaitsPerKey ?? 100)) return null;
    this.openWaits.set(key.id, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.openWaits.get(key.id) ?? 1) - 1;
      if (left > 0) this.openWaits.set(key.id, left);
      else this.openWaits.delete(key.id);
    };
  }

  /**
   * The caller's task once `done(task)` holds, or as it is when `timeoutMs` passes or `signal`
   * aborts; undefined when it is not theirs. Woken by change notices, re-checked every 2 s anyway.
   */
  async watch(key: ApiKey, id: string, done: (task: Task) => boolean, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<Task | undefined> {
    const deadline = this.now() + opts.timeoutMs;
    const signal = opts.signal ? AbortSignal.any([opts.signal, this.closing.signal]) : this.closing.signal;
    for (;;) {
      const task = await this.get(key, id);
      if (!task || done(task)) return task;
      const left = deadline - this.now();
      if (left <= 0 || signal.aborted) return task;
      await this.changes.next(id, Math.min(left, this.deps.waitRecheckMs ?? 2_000), signal);
    }
  }

  /** Shutting down: open waits answer now and streams end. */
  close(): void {
    this.closing.abort();
  }

  get closed(): boolean {
    return this.closing.signal.aborted;
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /** Validates and stores a task (answers once it is durable); invalid input throws the contract's 400. */
  async create(key: ApiKey, body: unknown, idempotencyKey: string | null = null): Promise<CreateResult> {
    const now = this.now();
    const planned = planTask(body, key, this.deps.catalog, { allowPrivateNetwork: this.deps.allowPrivateNetwork, now_ms: now });
    const { parsed } = planned;
    const task = planned.task.request.draft_task_id === undefined ? planned.task : await this.promotion(planned.task);
    const channel = this.deps.channels(task);
    if (!channel.ok && 'param' in channel)
      throw badRequest(
        channel.param,
        `Model '${task.model}' cannot be served with ${channel.param}=${JSON.stringify(task.request[channel.param as keyof typeof task.request])} by the channels this gateway has: ${channel.reason}. Omit ${channel.param}, or ask the operator to configure such a channel.`,
        channel.code,
        { model: task.model },
      );
    if (!channel.ok) return { kind: 'no_channel', model: task.model, provider: task.provider, reason: channel.reason };
    // Fingerprinted only once the request parsed and passed every rule: anything else was a 400 above.
    const fingerprint = idempotencyKey === null ? '' : requestFingerprint(parsed);
    const idem = idempotencyKey === null ? undefined : { key: idempotencyKey, body_hash: fingerprint, since_ms: now - IDEMPOTENCY_WINDOW_MS };
    const outcome = await this.deps.store.tasks.create(task, idem);
    switch (outcome.kind) {
      case 'created':
        this.deps.onCreated?.(outcome.task);
        return { kind: 'created', task: outcome.task, replayed: false };
      case 'insufficient_balance':
        return { kind: 'insufficient_balance', estimatedUsd: task.estimated_cost_usd, availableUsd: outcome.availableUsd };
      case 'quota_exceeded':
        return { kind: 'quota_exceeded', estimatedUsd: task.estimated_cost_usd, limitUsd: outcome.limitUsd, remainingUsd: outcome.remainingUsd };
      case 'replay': {
        if (!repeatsStoredRequest(outcome.record.body_hash, fingerprint, body, planned.asSent)) return { kind: 'idempotency_conflict', reason: 'body_differs' };
        const original = await this.deps.store.tasks.get(outcome.record.task_id);
        return original ? { kind: 'created', task: original, replayed: true } : { kind: 'idempotency_conflict', reason: 'task_gone' };
      }
    }
  }

  /**
   * A promotion names one of the caller's own completed drafts by its gateway id (the engine maps it
   * to the upstream id when submitting). Anything else is answered exactly like a missing task.
   * The draft fixes what the promotion renders (catalog/drafts.ts): it is recorded and priced so.
   */
  private async promotion(task: NewTask): Promise<NewTask> {
    const id = task.request.draft_task_id!;
    const draft = isTaskId(id) ? await this.deps.store.tasks.get(id) : undefined;
    if (!draft || promotableDraftUpstreamId(draft, task) === null) throw draftTaskNotFound();
    const spec = this.deps.catalog.get(task.model)!;
    const request = promotionOfDraft(task.request, draft.request, spec);
    return { ...task, operation: request.operation, request, estimated_cost_usd: estimateCostUsd(request, spec) };
  }

  /** The caller's task; another key's task is exactly like a missing one. */
  async get(key: ApiKey, id: string): Promise<Task | undefined> {
    if (!isTaskId(id)) return undefined;
    const task = await this.deps.store.tasks.get(id);
    return task && task.owner_key_id === key.id ? task : undefined;
  }

  /** Deletes the task's stored video on its owner's request (see delete-output.ts). */
  deleteOutput(key: ApiKey, id: string): Promise<DeleteOutcome> {
    return deleteOutput({ tasks: this, store: this.deps.store, blobs: this.deps.blobs, now: this.deps.now }, key, id);
  }

  /**
   * A task whoever owns it: for operators (admin routes) and for signed file links, where the
   * signature is the grant. undefined for a malformed or unknown id.
   */
  async getAnyOwner(id: string): Promise<Task | undefined> {
    return isTaskId(id) ? this.deps.store.tasks.get(id) : undefined;
  }

  /** The caller's tasks, newest first; `next` is the cursor of the following page, if any. */
  async list(key: ApiKey, filter: TaskListFilter): Promise<{ tasks: Task[]; next: string | null }> {
    const page = await this.deps.store.tasks.listForOwner(key.id, { ...filter, limit: filter.limit + 1 });
    // The store answers an empty page for a cursor that is not one of the caller's tasks; only then is
    // it asked which empty page this is, so a bad cursor never reads as the last page.
    if (page.length === 0 && filter.after !== undefined && !(await this.get(key, filter.after))) {
      throw badRequest('after', `'after' must be the id of one of your tasks (the last id of the previous page); got ${quoteId(filter.after)}.`, 'invalid_value');
    }
    const more = page.length > filter.limit;
    const tasks = more ? page.slice(0, filter.limit) : page;
    return { tasks, next: more ? tasks[tasks.length - 1].id : null };
  }

  /**
   * Cancels the caller's task. Not yet submitted: always. Submitted: only where the provider can
   * cancel upstream and confirms it. Terminal, or mid-submission/storing: not cancellable.
   */
  async cancel(key: ApiKey, id: string): Promise<CancelResult> {
    const waitUntil = this.now() + SUBMISSION_WAIT_MS;
    for (;;) {
      const task = await this.get(key, id);
      if (!task) return { kind: 'not_found' };
      switch (task.state) {
        case 'completed':
        case 'failed':
          return { kind: 'not_cancellable', task, reason: 'terminal' };
        case 'submitting':
          // Publicly still pending: wait for the submission's answer (usually ms), then decide.
          if (this.now() >= waitUntil) return { kind: 'not_cancellable', task, reason: 'submitting' };
          await new Promise((r) => setTimeout(r, 50));
          continue;
        case 'finishing':
          return { kind: 'not_cancellable', task, reason: 'finishing' };
        case 'pending':
          if (await this.deps.store.tasks.cancel(id, 'pending', CANCELLED, this.now())) return this.cancelled(id);
          continue; // it moved on meanwhile: decide again from its new state
        case 'processing': {
          const spec = this.deps.catalog.get(task.model);
          if (!spec?.cancellable_upstream || task.upstream_id === null) return { kind: 'not_cancellable', task, reason: 'not_supported' };
          const answer = await this.deps.cancelUpstream(task).catch(() => 'refused' as const);
          if (answer !== 'cancelled') return { kind: 'not_cancellable', task, reason: answer === 'unsupported' ? 'not_supported' : 'refused' };
          if (!(await this.deps.store.tasks.cancel(id, 'processing', CANCELLED, this.now()))) {
            // The job finished upstream between our read and the cancel: it completes and is billed as produced.
            return { kind: 'not_cancellable', task, reason: 'finished_meanwhile' };
          }
          return this.cancelled(id);
        }
      }
    }
  }

  private async cancelled(id: string): Promise<CancelResult> {
    const task = (await this.deps.store.tasks.get(id))!;
    this.deps.onCancelled?.(task);
    return { kind: 'cancelled', task };
  }
}
