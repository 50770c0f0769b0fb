import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BlobUnavailableError } from '../blobs/types.js';
import { costForOutputUsd, estimateForSourceUsd, renderedDuration, sourceTooLong, sourceVideoRule } from '../catalog/pricing.js';
import { draftTaskNotFound } from '../contract/errors.js';
import { isTaskId } from '../contract/ids.js';
import type { ResolvedVideoRequest } from '../contract/video-request.js';
import { removeAudioTrack } from '../media/strip-audio.js';
import type { LiveChannel } from '../channels/channel-set.js';
import type { AdapterContext, UpstreamOutput } from '../providers/types.js';
import { PRE_CHANNEL_PIN, promotableDraftUpstreamId, type ClaimedTask, type Task, type TaskTransition } from '../store/types.js';
import { adapterContext, type EngineDeps } from './context.js';
import { noteOutcome, submitThroughChannels } from './failover.js';
import { callbackRecheckMs } from './schedule.js';
import { failureFromError } from './task-errors.js';
import { afterFinish, afterPoll, afterRecovery, afterSubmit, noChannel, overdue, pinnedChannelGone, refuseSubmission, waitForChannel, type DecisionContext, type Failure, type RefusalEvent } from './transitions.js';

/** Writes a step's decision; dropped if the lease was lost or the task moved on (e.g. a cancel). */
async function commit(deps: EngineDeps, claimed: ClaimedTask, decision: TaskTransition): Promise<boolean> {
  const ok = await deps.store.tasks.transition(claimed, deps.workerId, decision, deps.clock.now());
  if (ok && decision.to !== decision.from) deps.observe?.transition(claimed.task, decision);
  return ok;
}

/** The channel the task is pinned to (polls, downloads, lookups use its credentials). */
function channelOf(deps: EngineDeps, claimed: ClaimedTask): LiveChannel | undefined {
  return deps.channels.pinned(claimed.task);
}

/** A pinned task whose channel is gone cannot reach its job: it fails, saying which channel it needs. */
function lostChannel(deps: EngineDeps, claimed: ClaimedTask, from: 'submitting' | 'processing' | 'finishing') {
  const id = deps.channels.pinnedId(claimed.task);
  deps.log.warn({ task: claimed.task.id, channel: id }, 'the channel this task is pinned to is not configured');
  return id !== null && (deps.channels.hasProvider(claimed.task.provider) || claimed.task.channelId !== PRE_CHANNEL_PIN) ? pinnedChannelGone(from, id) : noChannel(from, claimed.task.provider);
}

function decisionContext(deps: EngineDeps, claimed: ClaimedTask): DecisionContext {
  const spec = deps.catalog.get(claimed.task.model);
  const now = deps.clock.now();
  return {
    now,
    attempts: claimed.attempts,
    maxAttempts: deps.settings.maxTransientAttempts,
    canLookup: typeof channelOf(deps, claimed)?.adapter.findByReference === 'function',
    typicalSeconds: spec?.typical_seconds ?? 60,
    pollScale: deps.settings.pollScale,
    callbacks: deps.callbacks?.covers(deps.channels.pinned(claimed.task)?.id ?? null) ?? false,
    submittedMs: claimed.task.submitted_ms ?? now,
    maxRuntimeMs: (spec?.max_runtime_seconds ?? 3600) * 1000,
  };
}

/**
 * The task's request as the upstream is to render it: a duration the model renders at another
 * length (the catalog's duration_rendered_as: Veo 3.1 takes 4, 6 or 8 s, and a 5 s request is
 * rendered as 6 s) is sent as that length, the one the create reserved and the finisher bills.
 * Worked out at each submission, never stored: the task row keeps the duration the client asked
 * for, and a row stored with 5 s, however old, is sent as 6 s. byId: a disabled model's tasks still run.
 */
function renderedRequest(deps: EngineDeps, task: Pick<Task, 'model'>, request: ResolvedVideoRequest): ResolvedVideoRequest {
  const spec = deps.catalog.byId(task.model);
  const duration = spec ? renderedDuration(spec, request.duration) : request.duration;
  return duration === request.duration ? request : { ...request, duration };
}

/** `onlyChannel`: a draft's promotion goes where the draft was made (its upstream id exists only there). */
type Prepared = { kind: 'ready'; request: ResolvedVideoRequest; ctx: AdapterContext; onlyChannel?: string } | { kind: 'refused'; event: RefusalEvent } | { kind: 'lost' };

/**
 * Before anything is sent upstream: the duration becomes the length the model renders it at
 * (renderedRequest); a reference to one of our own tasks (Seedance's draft_task_id)
 * becomes the upstream id it stands for, if the task may use it; a request whose output is as long
 * as its source video is priced by the source's probed length and its reservation re-priced to
 * match, in one transaction (refused when the budget cannot cover it). The adapter then gets the
 * bytes already fetched, so the source is downloaded once.
 */
async function prepareSubmission(deps: EngineDeps, claimed: ClaimedTask, ctx: AdapterContext): Promise<Prepared> {
  const task = claimed.task;
  let request = renderedRequest(deps, task, task.request);
  let onlyChannel: string | undefined;
  if (request.draft_task_id !== undefined) {
    const draft = isTaskId(request.draft_task_id) ? await deps.store.tasks.get(request.draft_task_id) : undefined;
    const upstreamId = promotableDraftUpstreamId(draft, task);
    if (upstreamId === null) return { kind: 'refused', event: { type: 'reference_not_found', error: { code: 'draft_task_not_found', message: draftTaskNotFound().message } } };
    request = { ...request, draft_task_id: upstreamId };
    onlyChannel = deps.channels.pinnedId(draft!) ?? undefined;
  }
  const spec = deps.catalog.get(task.model);
  const rule = spec && sourceVideoRule(spec, request);
  if (!spec || !rule || request.video_url === undefined) return { kind: 'ready', request, ctx, onlyChannel };
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
    onlyChannel,
    ctx: {
      ...ctx,
      loadMedia: (u, kind) => (u === url && kind === 'video' ? Promise.resolve(source) : ctx.loadMedia(u, kind)),
      probeVideo: (bytes) => (bytes === source.bytes ? Promise.resolve(probe) : ctx.probeVideo(bytes)),
    },
  };
}

/** A fresh submission (the claim already made it `submitting`, durably, before this call). */
export async function submitStep(deps: EngineDeps, claimed: ClaimedTask): Promise<void> {
  if (!deps.channels.hasProvider(claimed.task.provider)) return void (await commit(deps, claimed, noChannel('submitting', claimed.task.provider)));
  const ctx = decisionContext(deps, claimed);
  try {
    const prepared = await prepareSubmission(deps, claimed, adapterContext(deps, deps.settings.upstreamTimeoutMs));
    if (prepared.kind === 'lost') return;
    if (prepared.kind === 'refused') {
      deps.log.info({ task: claimed.task.id, refused: prepared.event.type }, 'submission refused before reaching the upstream');
      return void (await commit(deps, claimed, refuseSubmission(prepared.event)));
    }
    const sent = await submitThroughChannels(deps, claimed, prepared.request, prepared.ctx, prepared.onlyChannel);
    // Read again: the task is pinned now, and whether its channel can look a job up matters after a timeout.
    const at = decisionContext(deps, claimed);
    switch (sent.type) {
      case 'lost':
        return;
      case 'submitted':
        await registerSubmitted(deps, claimed, sent.channel.id, sent.upstreamId);
        return void (await commit(deps, claimed, afterSubmit({ type: 'submitted', upstreamId: sent.upstreamId }, at)));
      case 'wait':
        return void (await commit(deps, claimed, waitForChannel(at, sent.waitMs)));
      case 'none':
        return void (await commit(deps, claimed, refuseSubmission({ type: 'no_channel', reason: sent.reason })));
      case 'failed':
        logSubmitFailure(deps, claimed, sent.failure);
        return void (await commit(deps, claimed, afterSubmit({ type: 'failed', failure: sent.failure }, at)));
    }
  } catch (err) {
    const failure = failureFromError(err, deps.catalog.byId(claimed.task.model));
    logSubmitFailure(deps, claimed, failure, err);
    await commit(deps, claimed, afterSubmit({ type: 'failed', failure }, { ...ctx, now: deps.clock.now() }));
  }
}

/** A project-level webhook finds the task by its upstream id; failing that, the fallback polls still run. */
async function registerSubmitted(deps: EngineDeps, claimed: ClaimedTask, channelId: string, upstreamId: string): Promise<void> {
  await deps.callbacks?.submitted(claimed.task, channelId, upstreamId).catch((err) => deps.log.warn({ task: claimed.task.id, err }, 'could not register the job for upstream callbacks; polling will find its end'));
}

function logSubmitFailure(deps: EngineDeps, claimed: ClaimedTask, failure: Failure, err?: unknown): void {
  if (failure.kind === 'internal') deps.log.error({ task: claimed.task.id, err }, 'submission failed');
  else deps.log.warn({ task: claimed.task.id, kind: failure.kind, code: failure.code, attempt: claimed.attempts + 1 }, 'submission failed');
}

/**
 * A task found in `submitting` whose lease ran out: its worker died during the upstream call (or
 * the call's outcome was unknown). Ask the provider by our reference where it can; never resend.
 */
export async function recoverStep(deps: EngineDeps, claimed: ClaimedTask): Promise<void> {
  const ctx = decisionContext(deps, claimed);
  const channel = channelOf(deps, claimed);
  // Pinned before any create is sent: a submission with no channel never reached an upstream, so sending it is safe.
  if (claimed.task.channelId === null) return void (await commit(deps, claimed, afterRecovery({ type: 'absent' }, ctx)));
  if (!channel) return void (await commit(deps, claimed, lostChannel(deps, claimed, 'submitting')));
  const adapter = channel.adapter;
  if (!adapter.findByReference) {
    deps.log.warn({ task: claimed.task.id }, 'found a submission interrupted by a crash; failing it rather than risking a duplicate upstream job');
    return void (await commit(deps, claimed, afterRecovery({ type: 'no_lookup' }, ctx)));
  }
  try {
    const request = deps.channels.requestFor(channel, renderedRequest(deps, claimed.task, claimed.task.request), claimed.task.model);
    const found = await adapter.findByReference(claimed.task.id, request, adapterContext(deps, deps.settings.upstreamTimeoutMs));
    const event = found ? ({ type: 'found', upstreamId: found.upstreamId } as const) : ({ type: 'absent' } as const);
    if (found) await registerSubmitted(deps, claimed, channel.id, found.upstreamId);
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

/**
 * Whether a callback announced the job's end shortly before this poll asked, or while it asked: the
 * upstream's reads may lag its callback, and a callback that came mid-poll found the poll item leased.
 */
async function calledBackLately(deps: EngineDeps, taskId: string, askedAt: number): Promise<boolean> {
  // The window is the recheck delay itself: the recheck's own poll no longer sees that callback, so one callback buys one recheck.
  const window = callbackRecheckMs(deps.settings.pollScale);
  return (await deps.callbacks?.pokedSince(taskId, askedAt - window).catch(() => false)) ?? false;
}

/** processing: ask the upstream (never failing the task on a transient poll error). */
export async function pollStep(deps: EngineDeps, claimed: ClaimedTask): Promise<void> {
  const task = claimed.task;
  const ctx = decisionContext(deps, claimed);
  if (ctx.now - ctx.submittedMs > ctx.maxRuntimeMs) return void (await commit(deps, claimed, overdue(ctx.maxRuntimeMs)));
  const channel = channelOf(deps, claimed);
  if (!channel || task.upstream_id === null) return void (await commit(deps, claimed, lostChannel(deps, claimed, 'processing')));
  try {
    const askedAt = deps.clock.now();
    const result = await channel.adapter.poll(task.upstream_id, adapterContext(deps, deps.settings.upstreamTimeoutMs));
    noteOutcome(deps, channel.id, undefined, 'poll');
    const at = { ...ctx, now: deps.clock.now() };
    switch (result.state) {
      case 'queued':
      case 'running': {
        const calledBack = ctx.callbacks === true && (await calledBackLately(deps, task.id, askedAt));
        await commit(deps, claimed, afterPoll({ type: 'running', progress: result.progress, retryAfterSeconds: result.retryAfterSeconds, calledBack }, at, task.progress));
        return;
      }
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
    noteOutcome(deps, channel.id, err, 'poll');
    deps.log.warn({ task: task.id, attempt: claimed.attempts + 1, err: err instanceof Error ? err.message : String(err) }, 'poll failed; will retry');
    await commit(deps, claimed, afterPoll({ type: 'failed', failure: failureFromError(err, deps.catalog.byId(claimed.task.model)) }, { ...ctx, now: deps.clock.now() }, task.progress));
  }
}

const DOWNLOAD_FAILED: Omit<Failure, 'kind'> = { code: 'output_unavailable', message: 'The finished video could not be downloaded from the upstream.' };

/** finishing: download the output to a temp file, probe it, store it in blob storage, complete the task. */
export async function finishStep(deps: EngineDeps, claimed: ClaimedTask): Promise<void> {
  const task = claimed.task;
  const ctx = decisionContext(deps, claimed);
  const channel = channelOf(deps, claimed);
  if (!channel) return void (await commit(deps, claimed, lostChannel(deps, claimed, 'finishing')));
  const video = (task.outputs as UpstreamOutput[] | null)?.find((o) => o.kind === 'video');
  if (!video) {
    return void (await commit(deps, claimed, { from: 'finishing', to: 'failed', patch: { error: { code: 'no_output', message: 'The upstream reported success but returned no video.' }, progress: null }, next: null }));
  }
  await mkdir(deps.tmpDir, { recursive: true });
  // A name of its own: a reclaimed task may reuse the attempt number of a download a crash left behind.
  const tmp = join(deps.tmpDir, `${task.id}.${claimed.attempts}.${randomBytes(6).toString('hex')}.mp4`);
  try {
    try {
      const opened = await channel.adapter.openOutput(video, adapterContext(deps, deps.settings.downloadTimeoutMs));
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
