import type { ResolvedVideoRequest } from '../contract/video-request.js';
import { costForOutputUsd } from '../catalog/pricing.js';
import { removeStoredAudio } from '../media/strip-audio.js';
import { UpstreamError, type AdapterContext, type ProviderAdapter, type TaskError, type UpstreamOutput } from '../providers/types.js';
import type { TaskRow } from '../store/schema.js';
import type { TaskPatch } from '../store/types.js';
import { mediaContext, type EngineDeps } from './context.js';
import { backoffMs, honouredRetryAfterMs, nextPollDelayMs } from './schedule.js';
import { taskErrorFromUnknown, taskErrorFromUpstream } from './task-errors.js';

const nowSec = (ms: number) => Math.floor(ms / 1000);

/** Writes a step's result, only if we still hold the lease (a stale worker's write is dropped). */
async function commit(deps: EngineDeps, row: TaskRow, patch: TaskPatch, expected: TaskRow['state'] = row.state): Promise<boolean> {
  const now = deps.now?.() ?? Date.now();
  // Guarded on state too: a cancel that landed meanwhile must not be overwritten.
  const full: TaskPatch = { ...patch, updated: nowSec(now), lease_owner: null, lease_until: null };
  const guard = { leaseOwner: deps.workerId, state: expected };
  // Terminal moves settle or release the task's reservation in the same transaction.
  if (patch.state === 'completed' || patch.state === 'failed') return deps.store.finishTask(row.id, full, guard);
  return deps.store.updateTask(row.id, full, guard);
}

function failPatch(error: TaskError, extra: TaskPatch = {}): TaskPatch {
  return { state: 'failed', error_code: error.code, error_message: error.message, progress: null, ...extra };
}

/** An upstream API call gets the API timeout; an output download (large files) its own, longer one. */
function adapterContext(deps: EngineDeps, timeoutMs = deps.settings.upstreamTimeoutMs): AdapterContext {
  return mediaContext(deps, timeoutMs);
}

function adapterFor(deps: EngineDeps, row: TaskRow): ProviderAdapter | undefined {
  return deps.adapters[row.provider as keyof EngineDeps['adapters']];
}

/**
 * pending → submitting → processing. The submitting mark is persisted before the upstream call,
 * so a crash mid-call is visible on restart (see recoverInterrupted).
 */
export async function submitStep(deps: EngineDeps, row: TaskRow): Promise<void> {
  const now = deps.now?.() ?? Date.now();
  if (row.state === 'submitting') return recoverInterrupted(deps, row);
  const adapter = adapterFor(deps, row);
  if (!adapter) {
    await commit(deps, row, failPatch({ code: 'all_channels_failed', message: `No channel is configured for provider '${row.provider}'.` }));
    return;
  }
  const marked = await deps.store.updateTask(row.id, { state: 'submitting', updated: nowSec(now) }, { state: 'pending', leaseOwner: deps.workerId });
  if (!marked) return; // cancelled or taken over meanwhile
  const request = JSON.parse(row.request_json) as ResolvedVideoRequest;
  try {
    const { upstreamId } = await adapter.submit({ taskId: row.id, request }, adapterContext(deps));
    deps.breaker?.success(row.provider);
    const after = deps.now?.() ?? Date.now();
    const spec = deps.catalog.get(row.model);
    await commit(
      deps,
      row,
      {
      state: 'processing',
      upstream_id: upstreamId,
      submitted_at: after,
      attempts: 0,
      next_run_at: after + nextPollDelayMs(0, spec?.typical_seconds ?? 60, deps.settings.pollScale),
      },
      'submitting',
    );
  } catch (err) {
    await onSubmitError(deps, row, err);
  }
}

async function onSubmitError(deps: EngineDeps, pendingRow: TaskRow, err: unknown): Promise<void> {
  const now = deps.now?.() ?? Date.now();
  const row: TaskRow = { ...pendingRow, state: 'submitting' };
  if (err instanceof UpstreamError) {
    noteOutage(deps, row.provider, err);
    // 429/5xx mean the upstream did not take the job: safe to try again later.
    const retryable = err.kind === 'rate_limited' || err.kind === 'unavailable';
    if (retryable && row.attempts + 1 < deps.settings.maxTransientAttempts) {
      const delay = Math.max(backoffMs(row.attempts), honouredRetryAfterMs(err.retryAfterSeconds));
      deps.log.warn({ task: row.id, kind: err.kind, attempt: row.attempts + 1, delay }, 'upstream refused submission for now; will retry');
      await commit(deps, row, { state: 'pending', attempts: row.attempts + 1, next_run_at: now + delay });
      return;
    }
    if (err.kind === 'timeout' || err.kind === 'ambiguous') {
      // The create may or may not have started upstream: never resubmit blindly (no double billing).
      // Where the provider can look the job up by our reference, let recovery ask it shortly.
      if (adapterFor(deps, row)?.findByReference) {
        await commit(deps, row, { attempts: row.attempts + 1, next_run_at: now + backoffMs(row.attempts) });
        return;
      }
      const error =
        err.kind === 'timeout'
          ? { code: 'timeout_error', message: 'The upstream did not answer the submission in time; it was not retried to avoid creating the job twice. Create a new task to try again.' }
          : { code: 'submission_interrupted', message: 'The connection to the upstream broke after the submission was sent, so it was not sent again (to avoid a duplicate charge). Create a new task to try again.' };
      await commit(deps, row, failPatch(error));
      return;
    }
    await commit(deps, row, failPatch(taskErrorFromUpstream(err, deps.catalog.byId(row.model))));
    return;
  }
  const error = taskErrorFromUnknown(err);
  // An input we could not download may be a passing network fault: try again a few times.
  if (error.code === 'input_fetch_failed' && row.attempts + 1 < deps.settings.maxTransientAttempts) {
    await commit(deps, row, { state: 'pending', attempts: row.attempts + 1, next_run_at: now + backoffMs(row.attempts) });
    return;
  }
  if (error.code === 'internal_error') deps.log.error({ task: row.id, err }, 'submission failed');
  await commit(deps, row, failPatch(error));
}

/**
 * A task found in `submitting` with an expired lease: the worker died during the upstream call,
 * so we do not know whether the upstream created the job. Never resubmit blindly (that could create
 * and bill the job twice). Where the provider can look a job up by our reference (the task id we
 * sent with the create), ask it: found → carry on polling that job; certainly not there → back to
 * pending (the create never landed, so submitting is safe); no clear answer → ask again later.
 * Without such a lookup, or when it keeps failing, fail the task (nothing is billed).
 */
async function recoverInterrupted(deps: EngineDeps, row: TaskRow): Promise<void> {
  const adapter = adapterFor(deps, row);
  const interrupted = (why: string) =>
    commit(deps, row, failPatch({ code: 'submission_interrupted', message: `The gateway lost track of this task's submission (a restart or a broken connection)${why}, so it was not sent again (to avoid a duplicate charge). Create a new task to try again.` }));
  if (!adapter?.findByReference) {
    deps.log.warn({ task: row.id }, 'found a submission interrupted by a crash; failing it rather than risking a duplicate upstream job');
    await interrupted('');
    return;
  }
  const request = JSON.parse(row.request_json) as ResolvedVideoRequest;
  let found;
  try {
    found = await adapter.findByReference(row.id, request, adapterContext(deps));
  } catch (err) {
    const attempts = row.attempts + 1;
    const why = err instanceof Error ? err.message : String(err);
    if (attempts >= deps.settings.maxTransientAttempts) {
      deps.log.warn({ task: row.id, attempt: attempts, err: why }, 'could not find out whether an interrupted submission reached the upstream; failing it');
      await interrupted(' and the provider could not tell whether it had received it');
      return;
    }
    deps.log.warn({ task: row.id, attempt: attempts, err: why }, 'lookup of an interrupted submission failed; will ask again');
    const now = deps.now?.() ?? Date.now();
    await commit(deps, row, { attempts, next_run_at: now + backoffMs(attempts - 1) });
    return;
  }
  const now = deps.now?.() ?? Date.now();
  if (found) {
    deps.log.info({ task: row.id, upstream: found.upstreamId }, 'interrupted submission had reached the upstream; continuing with that job');
    await commit(deps, row, { state: 'processing', upstream_id: found.upstreamId, submitted_at: now, attempts: 0, next_run_at: now });
    return;
  }
  deps.log.info({ task: row.id }, 'interrupted submission never reached the upstream; submitting it again');
  await commit(deps, row, { state: 'pending', next_run_at: now });
}

/** 5xx and timeouts say the provider may be down (a 429 says it is up, just busy). */
function noteOutage(deps: EngineDeps, provider: string, err: UpstreamError): void {
  if (err.kind === 'unavailable' || err.kind === 'timeout') deps.breaker?.failure(provider);
}

/** processing: ask the upstream, never failing the task on a transient poll error. */
export async function pollStep(deps: EngineDeps, row: TaskRow): Promise<void> {
  const now = deps.now?.() ?? Date.now();
  const adapter = adapterFor(deps, row);
  const spec = deps.catalog.get(row.model);
  const submittedAt = row.submitted_at ?? now;
  const elapsed = now - submittedAt;
  const maxRuntimeMs = (spec?.max_runtime_seconds ?? 3600) * 1000;
  if (elapsed > maxRuntimeMs) {
    await commit(deps, row, failPatch({ code: 'timeout_error', message: `The upstream job did not finish within ${Math.round(maxRuntimeMs / 1000)} s; the task was stopped.` }));
    return;
  }
  if (!adapter || row.upstream_id === null) {
    await commit(deps, row, failPatch({ code: 'all_channels_failed', message: `No channel is configured for provider '${row.provider}' any more.` }));
    return;
  }
  try {
    const result = await adapter.poll(row.upstream_id, adapterContext(deps));
    deps.breaker?.success(row.provider);
    switch (result.state) {
      case 'queued':
      case 'running':
        await commit(deps, row, {
          progress: result.progress !== undefined ? Math.max(0, Math.min(99, Math.round(result.progress))) : row.progress,
          attempts: 0,
          // Never later than the max-runtime deadline, so a wedged job is failed on time.
          next_run_at: Math.min(now + nextPollDelayMs(elapsed, spec?.typical_seconds ?? 60, deps.settings.pollScale, result.retryAfterSeconds), submittedAt + maxRuntimeMs + 1000),
        });
        return;
      case 'succeeded':
        await commit(deps, row, { state: 'finishing', outputs_json: JSON.stringify(result.outputs), attempts: 0, next_run_at: now });
        return;
      case 'failed':
        await commit(deps, row, failPatch(result.error));
        return;
      case 'cancelled':
        await commit(deps, row, failPatch({ code: 'task_cancelled', message: 'The task was cancelled upstream.' }, { cancelled: 1 }));
        return;
    }
  } catch (err) {
    if (err instanceof UpstreamError) noteOutage(deps, row.provider, err);
    const attempts = row.attempts + 1;
    const permanent = err instanceof UpstreamError && !err.transient;
    if (permanent && attempts >= deps.settings.maxTransientAttempts) {
      await commit(deps, row, failPatch(taskErrorFromUpstream(err as UpstreamError, deps.catalog.byId(row.model))));
      return;
    }
    const retryAfter = err instanceof UpstreamError ? err.retryAfterSeconds : undefined;
    deps.log.warn({ task: row.id, attempt: attempts, err: err instanceof Error ? err.message : String(err) }, 'poll failed; will retry');
    await commit(deps, row, { attempts, next_run_at: Math.min(now + Math.max(backoffMs(attempts - 1), honouredRetryAfterMs(retryAfter)), submittedAt + maxRuntimeMs + 1000) });
  }
}

/** finishing: stream the output into blob storage, probe it, complete the task. */
export async function finishStep(deps: EngineDeps, row: TaskRow): Promise<void> {
  const now = deps.now?.() ?? Date.now();
  const adapter = adapterFor(deps, row);
  const outputs = JSON.parse(row.outputs_json ?? '[]') as UpstreamOutput[];
  const video = outputs.find((o) => o.kind === 'video');
  if (!adapter || !video) {
    await commit(deps, row, failPatch({ code: 'no_output', message: 'The upstream reported success but returned no video.' }));
    return;
  }
  const key = `videos/${row.id}.mp4`;
  try {
    const ctx = adapterContext(deps, deps.settings.downloadTimeoutMs);
    const opened = await adapter.openOutput(video, ctx);
    await deps.blobs.put(key, opened.body);
  } catch (err) {
    const attempts = row.attempts + 1;
    if (attempts >= deps.settings.maxTransientAttempts) {
      await commit(deps, row, failPatch({ code: 'output_unavailable', message: 'The finished video could not be downloaded from the upstream.' }));
      return;
    }
    deps.log.warn({ task: row.id, attempt: attempts, err: err instanceof Error ? err.message : String(err) }, 'output download failed; will retry');
    await commit(deps, row, { attempts, next_run_at: now + backoffMs(attempts - 1) });
    return;
  }
  const request = JSON.parse(row.request_json) as ResolvedVideoRequest;
  let meta;
  try {
    meta = await deps.probe(deps.blobs.localPath(key));
    // output_audio: false where the upstream always renders sound (Veo on the Gemini API, Grok):
    // remove the track by stream copy, probe again, and price what is stored (silent).
    if (request.output_audio === false && meta.hasAudio) {
      await removeStoredAudio(deps.blobs, key);
      meta = await deps.probe(deps.blobs.localPath(key));
    }
  } catch (err) {
    deps.log.warn({ task: row.id, err: err instanceof Error ? err.message : String(err) }, 'stored output is not a playable video');
    await deps.blobs.delete(key);
    await commit(deps, row, failPatch({ code: 'invalid_output', message: 'The upstream returned a file that is not a playable video.' }));
    return;
  }
  const spec = deps.catalog.get(row.model);
  const cost = spec ? costForOutputUsd(spec, { seconds: meta.durationSeconds, resolution: request.resolution, audio: meta.hasAudio }) : 0;
  await commit(deps, row, {
    state: 'completed',
    progress: 100,
    completed_at: nowSec(deps.now?.() ?? Date.now()),
    video_blob: key,
    video_duration: Math.round(meta.durationSeconds * 1000) / 1000,
    video_width: meta.width,
    video_height: meta.height,
    video_has_audio: meta.hasAudio ? 1 : 0,
    cost_usd: cost,
  });
}
