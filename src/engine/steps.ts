import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BlobUnavailableError } from '../blobs/types.js';
import { costForOutputUsd, estimateForSourceUsd, sourceTooLong, sourceVideoRule } from '../catalog/pricing.js';
import { draftTaskNotFound } from '../contract/errors.js';
import { isTaskId } from '../contract/ids.js';
import type { ResolvedVideoRequest } from '../contract/video-request.js';
import { removeAudioTrack } from '../media/strip-audio.js';
import { UpstreamError, type AdapterContext, type ProviderAdapter, type UpstreamOutput } from '../providers/types.js';
import { promotableDraftUpstreamId, type ClaimedTask, type TaskTransition } from '../store/types.js';
import { adapterContext, type EngineDeps } from './context.js';
import { failureFromError } from './task-errors.js';
import { afterFinish, afterPoll, afterRecovery, afterSubmit, noChannel, overdue, refuseSubmission, type DecisionContext, type Failure, type RefusalEvent } from './transitions.js';

/** Writes a step's decision; dropped if the lease was lost or the task moved on (e.g. a cancel). */
async function commit(deps: EngineDeps, claimed: ClaimedTask, decision: TaskTransition): Promise<boolean> {
  const ok = await deps.store.tasks.transition(claimed, deps.workerId, decision, deps.clock.now());
  if (ok && decision.to !== decision.from) deps.observe?.transition(claimed.task, decision);
  return ok;
}

function adapterFor(deps: EngineDeps, claimed: ClaimedTask): ProviderAdapter | undefined {
  return deps.adapters[claimed.task.provider as keyof EngineDeps['adapters']];
}

function decisionContext(deps: EngineDeps, claimed: ClaimedTask): DecisionContext {
  const spec = deps.catalog.get(claimed.task.model);
  const now = deps.clock.now();
  return {
    now,
    attempts: claimed.attempts,
    maxAttempts: deps.settings.maxTransientAttempts,
    canLookup: typeof adapterFor(deps, claimed)?.findByReference === 'function',
    typicalSeconds: spec?.typical_seconds ?? 60,
    pollScale: deps.settings.pollScale,
    submittedMs: claimed.task.submitted_ms ?? now,
    maxRuntimeMs: (spec?.max_runtime_seconds ?? 3600) * 1000,
  };
}

/** 5xx and timeouts say the provider may be down (a 429 says it is up, just busy). */
function noteOutcome(deps: EngineDeps, provider: string, err?: unknown): void {
  if (err === undefined) deps.breaker.success(provider);
  else if (err instanceof UpstreamError && (err.kind === 'unavailable' || err.kind === 'timeout')) deps.breaker.failure(provider, deps.clock.now());
}

type Prepared = { kind: 'ready'; request: ResolvedVideoRequest; ctx: AdapterContext } | { kind: 'refused'; event: RefusalEvent } | { kind: 'lost' };

/**
 * Before anything is sent upstream: a reference to one of our own tasks (Seedance's draft_task_id)
 * becomes the upstream id it stands for, if the task may use it; a request whose output is as long
 * as its source video is priced by the source's probed length and its reservation re-priced to
 * match, in one transaction (refused when the budget cannot cover it). The adapter then gets the
 * bytes already fetched, so the source is downloaded once.
 */
async function prepareSubmission(deps: EngineDeps, claimed: ClaimedTask, ctx: AdapterContext): Promise<Prepared> {
  const task = claimed.task;
  let request = task.request;
  if (request.draft_task_id !== undefined) {
    const draft = isTaskId(request.draft_task_id) ? await deps.store.tasks.get(request.draft_task_id) : undefined;
    const upstreamId = promotableDraftUpstreamId(draft, task);
    if (upstreamId === null) return { kind: 'refused', event: { type: 'reference_not_found', error: { code: 'draft_task_not_found', message: draftTaskNotFound().message } } };
    request = { ...request, draft_task_id: upstreamId };
  }
  const spec = deps.catalog.get(task.model);
  const rule = spec && sourceVideoRule(spec, request);
  if (!spec || !rule || request.video_url === undefined) return { kind: 'ready', request, ctx };
  const source = await ctx.loadMedia(request.video_url, 'video');
  let probe: Awaited<ReturnType<AdapterContext['probeVideo']>>;
  try {
    probe = await ctx.probeVideo(source.bytes);
  } catch {
    return { kind: 'refused', event: { type: 'source_unplayable' } };
  }
  const seconds = probe.durationSeconds;
  if (sourceTooLong(rule, seconds)) return { kind: 'refused', event: { type: 'source_too_long', model: task.model, seconds, maxSeconds: rule.max_seconds } };
  const estimateUsd = estimateForSourceUsd(request, spec, seconds);
  const priced = await deps.store.tasks.reprice(claimed, deps.workerId, estimateUsd, deps.clock.now());
  if (priced.kind === 'lost') return priced;
  if (priced.kind !== 'reserved') return { kind: 'refused', event: { type: 'over_budget', refusal: priced, seconds, estimateUsd, reservedUsd: task.estimated_cost_usd } };
  deps.log.info({ task: task.id, source_seconds: seconds, reserved_usd: priced.reservedUsd }, 'priced by the source video');
  const url = request.video_url;
  return {
    kind: 'ready',
    request,
    ctx: {
      ...ctx,
      loadMedia: (u, kind) => (u === url && kind === 'video' ? Promise.resolve(source) : ctx.loadMedia(u, kind)),
      probeVideo: (bytes) => (bytes === source.bytes ? Promise.resolve(probe) : ctx.probeVideo(bytes)),
    },
  };
}

/** A fresh submission (the claim already made it `submitting`, durably, before this call). */
export async function submitStep(deps: EngineDeps, claimed: ClaimedTask): Promise<void> {
  const adapter = adapterFor(deps, claimed);
  if (!adapter) return void (await commit(deps, claimed, noChannel('submitting', claimed.task.provider)));
  const ctx = decisionContext(deps, claimed);
  try {
    const prepared = await prepareSubmission(deps, claimed, adapterContext(deps, deps.settings.upstreamTimeoutMs));
    if (prepared.kind === 'lost') return;
    if (prepared.kind === 'refused') {
      deps.log.info({ task: claimed.task.id, refused: prepared.event.type }, 'submission refused before reaching the upstream');
      return void (await commit(deps, claimed, refuseSubmission(prepared.event)));
    }
    const { upstreamId } = await adapter.submit({ taskId: claimed.task.id, request: prepared.request }, prepared.ctx);
    noteOutcome(deps, claimed.task.provider);
    await commit(deps, claimed, afterSubmit({ type: 'submitted', upstreamId }, { ...ctx, now: deps.clock.now() }));
  } catch (err) {
    noteOutcome(deps, claimed.task.provider, err);
    const failure = failureFromError(err, deps.catalog.byId(claimed.task.model));
    if (failure.kind === 'internal') deps.log.error({ task: claimed.task.id, err }, 'submission failed');
    else deps.log.warn({ task: claimed.task.id, kind: failure.kind, attempt: claimed.attempts + 1 }, 'submission failed');
    await commit(deps, claimed, afterSubmit({ type: 'failed', failure }, { ...ctx, now: deps.clock.now() }));
  }
}

/**
 * A task found in `submitting` whose lease ran out: its worker died during the upstream call (or
 * the call's outcome was unknown). Ask the provider by our reference where it can; never resend.
 */
export async function recoverStep(deps: EngineDeps, claimed: ClaimedTask): Promise<void> {
  const adapter = adapterFor(deps, claimed);
  const ctx = decisionContext(deps, claimed);
  if (!adapter?.findByReference) {
    deps.log.warn({ task: claimed.task.id }, 'found a submission interrupted by a crash; failing it rather than risking a duplicate upstream job');
    return void (await commit(deps, claimed, afterRecovery({ type: 'no_lookup' }, ctx)));
  }
  try {
    const found = await adapter.findByReference(claimed.task.id, claimed.task.request, adapterContext(deps, deps.settings.upstreamTimeoutMs));
    const event = found ? ({ type: 'found', upstreamId: found.upstreamId } as const) : ({ type: 'absent' } as const);
    deps.log.info(
      { task: claimed.task.id, found: found?.upstreamId ?? null },
      found ? 'interrupted submission had reached the upstream; continuing with that job' : 'interrupted submission never reached the upstream; submitting it again',
    );
    await commit(deps, claimed, afterRecovery(event, { ...ctx, now: deps.clock.now() }));
  } catch (err) {
    deps.log.warn({ task: claimed.task.id, attempt: claimed.attempts + 1, err: err instanceof Error ? err.message : String(err) }, 'lookup of an interrupted submission failed');
    await commit(deps, claimed, afterRecovery({ type: 'failed', failure: failureFromError(err, deps.catalog.byId(claimed.task.model)) }, { ...ctx, now: deps.clock.now() }));
  }
}

/** processing: ask the upstream (never failing the task on a transient poll error). */
export async function pollStep(deps: EngineDeps, claimed: ClaimedTask): Promise<void> {
  const task = claimed.task;
  const ctx = decisionContext(deps, claimed);
  if (ctx.now - ctx.submittedMs > ctx.maxRuntimeMs) return void (await commit(deps, claimed, overdue(ctx.maxRuntimeMs)));
  const adapter = adapterFor(deps, claimed);
  if (!adapter || task.upstream_id === null) return void (await commit(deps, claimed, noChannel('processing', task.provider)));
  try {
    const result = await adapter.poll(task.upstream_id, adapterContext(deps, deps.settings.upstreamTimeoutMs));
    noteOutcome(deps, task.provider);
    const at = { ...ctx, now: deps.clock.now() };
    switch (result.state) {
      case 'queued':
      case 'running':
        await commit(deps, claimed, afterPoll({ type: 'running', progress: result.progress, retryAfterSeconds: result.retryAfterSeconds }, at, task.progress));
        return;
      case 'succeeded':
        await commit(deps, claimed, afterPoll({ type: 'succeeded', outputs: result.outputs }, at, task.progress));
        return;
      case 'failed':
        await commit(deps, claimed, afterPoll({ type: 'upstream_failed', error: result.error }, at, task.progress));
        return;
      case 'cancelled':
        await commit(deps, claimed, afterPoll({ type: 'upstream_cancelled' }, at, task.progress));
        return;
    }
  } catch (err) {
    noteOutcome(deps, task.provider, err);
    deps.log.warn({ task: task.id, attempt: claimed.attempts + 1, err: err instanceof Error ? err.message : String(err) }, 'poll failed; will retry');
    await commit(deps, claimed, afterPoll({ type: 'failed', failure: failureFromError(err, deps.catalog.byId(claimed.task.model)) }, { ...ctx, now: deps.clock.now() }, task.progress));
  }
}

const DOWNLOAD_FAILED: Omit<Failure, 'kind'> = { code: 'output_unavailable', message: 'The finished video could not be downloaded from the upstream.' };

/** finishing: download the output to a temp file, probe it, store it in blob storage, complete the task. */
export async function finishStep(deps: EngineDeps, claimed: ClaimedTask): Promise<void> {
  const task = claimed.task;
  const ctx = decisionContext(deps, claimed);
  const adapter = adapterFor(deps, claimed);
  const video = (task.outputs as UpstreamOutput[] | null)?.find((o) => o.kind === 'video');
  if (!adapter || !video) {
    return void (await commit(deps, claimed, { from: 'finishing', to: 'failed', patch: { error: { code: 'no_output', message: 'The upstream reported success but returned no video.' }, progress: null }, next: null }));
  }
  await mkdir(deps.tmpDir, { recursive: true });
  const tmp = join(deps.tmpDir, `${task.id}.${claimed.attempts}.mp4`);
  try {
    try {
      const opened = await adapter.openOutput(video, adapterContext(deps, deps.settings.downloadTimeoutMs));
      await pipeline(opened.body, createWriteStream(tmp));
    } catch (err) {
      deps.log.warn({ task: task.id, attempt: claimed.attempts + 1, err: err instanceof Error ? err.message : String(err) }, 'output download failed; will retry');
      return void (await commit(deps, claimed, afterFinish({ type: 'failed', failure: { kind: 'download', ...DOWNLOAD_FAILED } }, ctx)));
    }
    let meta: Awaited<ReturnType<EngineDeps['probeFile']>>;
    try {
      meta = await deps.probeFile(tmp);
      // output_audio: false where the upstream always renders sound (Veo on the Gemini API, Grok):
      // remove the track by stream copy, probe again, and price what is stored (silent).
      if (task.request.output_audio === false && meta.hasAudio) {
        const silent = `${tmp}.silent.mp4`;
        await removeAudioTrack(tmp, silent);
        await rename(silent, tmp);
        meta = await deps.probeFile(tmp);
      }
    } catch (err) {
      deps.log.warn({ task: task.id, err: err instanceof Error ? err.message : String(err) }, 'upstream output is not a playable video');
      return void (await commit(deps, claimed, afterFinish({ type: 'unplayable' }, ctx)));
    }
    const key = `videos/${task.id}.mp4`;
    try {
      await deps.blobs.put(key, createReadStream(tmp));
    } catch (err) {
      // Our own blob store being down is no fault of the output: storing is retried until it returns.
      const kind = err instanceof BlobUnavailableError ? 'storage' : 'download';
      deps.log.warn({ task: task.id, kind, err: err instanceof Error ? err.message : String(err) }, 'storing the output failed; will retry');
      return void (await commit(deps, claimed, afterFinish({ type: 'failed', failure: { kind, code: 'output_unavailable', message: 'The finished video could not be stored.' } }, ctx)));
    }
    const spec = deps.catalog.get(task.model);
    const costUsd = spec ? costForOutputUsd(spec, { seconds: meta.durationSeconds, resolution: task.request.resolution, audio: meta.hasAudio }) : 0;
    const stored = {
      type: 'stored' as const,
      video: { blob_key: key, duration_s: Math.round(meta.durationSeconds * 1000) / 1000, width: meta.width, height: meta.height, has_audio: meta.hasAudio },
      costUsd,
      reservedUsd: task.estimated_cost_usd,
    };
    if (!(await commit(deps, claimed, afterFinish(stored, { ...ctx, now: deps.clock.now() })))) {
      // Someone else finished it (or it was cancelled) while we worked: our copy is not referenced.
      if ((await deps.store.tasks.get(task.id))?.video?.blob_key !== key) await deps.blobs.delete(key).catch(() => undefined);
    }
  } finally {
    await rm(tmp, { force: true });
  }
}
