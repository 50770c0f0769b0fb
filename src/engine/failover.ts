/**
 * One submission through the channels: try them in route order (priority, then weight), each only
 * if its breaker admits, its submission rate has a token and it has room (pinned first, counting
 * toward its jobs in flight), and go on to the next one when a create certainly did not land
 * (SUBMIT_FAILOVER in the retry-policy table). What happened is handed back as one event.
 */
import type { LiveChannel } from '../channels/channel-set.js';
import { faithfulFirst, routeOrder } from '../channels/router.js';
import type { ResolvedVideoRequest } from '../contract/video-request.js';
import type { AdapterContext } from '../providers/types.js';
import { UpstreamError } from '../providers/types.js';
import type { ClaimedTask } from '../store/types.js';
import type { EngineDeps } from './context.js';
import { honouredRetryAfterMs, SUBMIT_FAILOVER } from './retry-policy.js';
import { failureFromError } from './task-errors.js';
import { allChannelsFailed, type Failure } from './transitions.js';

export type ChannelSubmission =
  | { type: 'submitted'; channel: LiveChannel; upstreamId: string }
  | { type: 'failed'; failure: Failure }
  /** No channel could take it now (busy, rate-limited, breaker open): try again in `waitMs`. */
  | { type: 'wait'; waitMs: number }
  | { type: 'none'; reason: string }
  | { type: 'lost' };

/**
 * 5xx and timeouts say the channel may be down. Any other answer (a 429, a refusal of the request)
 * says it is up: it ends a run of outages and closes an open breaker's probe, as a success would (a
 * probe answered 400 or 429 left the breaker open for another cooldown). A create refused for the
 * channel's key or quota is up but unusable: a probe so refused re-opens the breaker for longer. A
 * poll's answer does not end a rest for a refused key or quota: the tasks a channel already has in
 * flight poll on while its creates are refused.
 */
export function noteOutcome(deps: Pick<EngineDeps, 'breaker' | 'clock'>, channelId: string, err?: unknown, about: 'create' | 'poll' = 'create'): void {
  const up = () => (about === 'poll' ? deps.breaker.answered(channelId) : deps.breaker.success(channelId));
  if (err === undefined) up();
  else if (!(err instanceof UpstreamError) || err.kind === 'ambiguous') return;
  else if (err.kind === 'unavailable' || err.kind === 'timeout') deps.breaker.failure(channelId, deps.clock.now());
  else if (about === 'create' && (err.kind === 'auth' || err.kind === 'quota')) deps.breaker.refused(channelId, deps.clock.now());
  else up();
}

/** The channels that may take this task, in the order to try them (`only`: a draft's promotion must go where the draft is). */
function routeFor(deps: EngineDeps, claimed: ClaimedTask, request: ResolvedVideoRequest, only?: string): { channels: LiveChannel[] } | { reason: string } {
  const task = claimed.task;
  const found = deps.channels.candidates({ provider: task.provider, model: task.model, request });
  if (!found.ok) return { reason: found.reason };
  const spec = deps.catalog.byId(task.model);
  const usable = found.channels.filter((c) => (only === undefined || c.id === only) && !(spec && deps.channelReason?.(c, spec, request.operation)));
  if (usable.length === 0) return { reason: only ? `the channel '${only}' its draft was made on cannot serve it now.` : `no channel serving '${task.model}' lists it among its models now.` };
  return { channels: faithfulFirst(routeOrder(usable), request) };
}

async function takeRate(deps: EngineDeps, c: LiveChannel): Promise<boolean> {
  return c.rpm === undefined || (await deps.limits.takeSubmissions(`channel:${c.id}`, c.rpm, 1)) > 0;
}

export async function submitThroughChannels(deps: EngineDeps, claimed: ClaimedTask, request: ResolvedVideoRequest, ctx: AdapterContext, only?: string): Promise<ChannelSubmission> {
  const route = routeFor(deps, claimed, request, only);
  if ('reason' in route) return { type: 'none', reason: route.reason };
  const tried: { channel: string; failure: Failure }[] = [];
  /** When a channel that could take the task was passed over (resting, out of submissions, full): the soonest it may have room. */
  let waitMs = Number.POSITIVE_INFINITY;
  for (const channel of route.channels) {
    const now = deps.clock.now();
    if (!deps.breaker.admit(channel.id, now)) {
      waitMs = Math.min(waitMs, deps.breaker.retryInMs(channel.id, now));
      continue;
    }
    if (!(await takeRate(deps, channel))) {
      deps.breaker.cancelProbe(channel.id);
      waitMs = Math.min(waitMs, 60_000 / channel.rpm!);
      continue;
    }
    const pinned = await deps.store.tasks.pinChannel(claimed, deps.workerId, channel.id, channel.concurrency);
    if (pinned !== 'pinned') {
      deps.breaker.cancelProbe(channel.id);
      if (channel.rpm !== undefined) await deps.limits.returnSubmissions(`channel:${channel.id}`, channel.rpm, 1);
      if (pinned === 'lost') return { type: 'lost' };
      waitMs = Math.min(waitMs, deps.settings.tickMs * 4);
      continue;
    }
    // What the store now says: later decisions (a lookup after a timeout) go through this channel.
    claimed.task = { ...claimed.task, channelId: channel.id };
    channel.counts.submissions++;
    try {
      // A per-task callback URL names this channel: a fresh token for every channel tried.
      const callbackUrl = await deps.callbacks?.callbackUrlFor(claimed.task, channel.id);
      const { upstreamId } = await channel.adapter.submit({ taskId: claimed.task.id, request: deps.channels.requestFor(channel, request, claimed.task.model), callbackUrl }, ctx);
      noteOutcome(deps, channel.id);
      return { type: 'submitted', channel, upstreamId };
    } catch (err) {
      if (err instanceof UpstreamError) channel.counts.failures++;
      noteOutcome(deps, channel.id, err);
      const failure = failureFromError(err, deps.catalog.byId(claimed.task.model));
      tried.push({ channel: channel.id, failure });
      if (!(err instanceof UpstreamError) || !SUBMIT_FAILOVER[failure.kind]) return { type: 'failed', failure };
      deps.log.warn({ task: claimed.task.id, channel: channel.id, kind: failure.kind }, 'create refused by a channel; trying the next one');
    }
  }
  // Only when no channel was passed over: one that is merely busy, throttled or resting may still
  // take the task, so it waits for that one (no attempt spent) instead of failing with what the
  // channels tried said (a refused key on one channel is no reason to fail a task another can serve).
  if (tried.length > 0 && !Number.isFinite(waitMs)) return { type: 'failed', failure: allChannelsFailed(claimed.task.model, tried) };
  // A channel tried that is only throttled or down for a moment may take it before the one passed
  // over has room (a 429 saying 'in 2 s' beside a breaker resting for minutes): ask it again then.
  // One that refused outright for every model (a revoked key, no quota) rests for its breaker's
  // cooldown meanwhile, or every waiting task would ask it again at every tick. Only here, where
  // another channel can take the task: a channel that is the only one fails the task at once. Not
  // for not_found: it may concern this model alone, and a rest would hold the channel's others.
  for (const t of tried) {
    if (t.failure.kind === 'rate_limited' || t.failure.kind === 'unavailable') waitMs = Math.min(waitMs, Math.max(deps.settings.tickMs * 4, honouredRetryAfterMs(t.failure.retryAfterSeconds)));
    else if (t.failure.kind === 'auth' || t.failure.kind === 'quota') deps.breaker.rest(t.channel, deps.clock.now());
  }
  return { type: 'wait', waitMs: Number.isFinite(waitMs) ? waitMs : deps.settings.tickMs * 4 };
}
