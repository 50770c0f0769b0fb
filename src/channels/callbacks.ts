/**
 * Upstream callbacks (VIDGATE_CALLBACK_BASE_URL): providers that can tell us a job ended do so, and
 * the task is polled at once instead of at its next (sparse) poll. A callback is a doorbell, never a
 * message: it only makes the task's poll due now, through the normal poll path; its body is read
 * only to skip notices of intermediate states. Forged (bad token or signature), replayed, late and
 * duplicate callbacks change nothing, and a flood costs at most one extra poll per task per
 * POKE_INTERVAL_MS.
 *
 * URLs: per-task providers get `{base}/v1/upstream-callbacks/{channel}/{token}` with a fresh
 * 256-bit token per submission (only its sha256 is stored). OpenAI's webhooks are per project, so
 * its channel has one URL, `{base}/v1/upstream-callbacks/{channel}`, signed with the project's
 * webhook secret; the event's `data.id` (the video id) finds the task.
 */
import { createHash, randomBytes } from 'node:crypto';
import { CALLBACK_PATH } from '../contract/channels.js';
import type { Logger } from 'pino';
import type { Task, UpstreamCallbackRepository } from '../store/types.js';
import { CALLBACK_PROTOCOLS, challengeOf, parseBody, verifyStandardWebhook, verifyViduSignature, type CallbackReply, type InboundCallback } from './callback-protocols.js';

export { CALLBACK_PATH };
/** At most one callback-made poll per task per this interval, whatever arrives. */
export const POKE_INTERVAL_MS = 2_000;
/** A token is 32 random bytes, base64url. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
/** Signed callbacks' ids (webhook-id, Vidu's nonce) remembered per node, to drop replays at once. */
const SEEN_IDS = 10_000;

/** What the callbacks need to know of a channel: its provider and the secret its callbacks are signed with. */
export interface CallbackChannel {
  provider: string;
  /** The channel's protocol: callbacks are a protocol's feature (OpenAI's webhooks are not Azure OpenAI's). */
  protocol: string;
  credentials: Record<string, string>;
}

export interface UpstreamCallbackDeps {
  repo: UpstreamCallbackRepository;
  /** VIDGATE_CALLBACK_BASE_URL, without a trailing slash. */
  baseUrl: string;
  channel(id: string): CallbackChannel | undefined;
  /** Every channel's id (a project webhook may bring the end of a job sent through another key of its project). */
  channelIds(): string[];
  /** OPENAI_WEBHOOK_SECRET: the project webhook's signing secret for channels that hold none of their own. */
  projectWebhookSecret?: string;
  clock: { now(): number };
  log: Logger;
  /** Wakes this node's engine (other nodes hear the store's work-due notice). */
  wake(): void;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const jobRef = (upstreamId: string) => sha256(`job:${upstreamId}`);

/** A small set of recently seen ids (insertion-ordered, oldest dropped first). */
class RecentIds {
  private readonly ids = new Set<string>();
  has(id: string): boolean {
    return this.ids.has(id);
  }
  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > SEEN_IDS) this.ids.delete(this.ids.values().next().value!);
  }
}

export class UpstreamCallbacks {
  private readonly seen = new RecentIds();
  /** When this node last let a reference through (cheap first line against floods; the store decides). */
  private readonly recent = new Map<string, number>();

  constructor(private readonly deps: UpstreamCallbackDeps) {}

  private protocolOf(channelId: string) {
    const ch = this.deps.channel(channelId);
    const protocol = ch && CALLBACK_PROTOCOLS[ch.protocol];
    if (!ch || !protocol) return undefined;
    const signingSecret = protocol.signingSecret?.(ch.credentials, this.deps.projectWebhookSecret);
    // A project webhook cannot be verified without its secret: such a channel stays on polling.
    if (protocol.kind === 'project-webhook' && !signingSecret) return undefined;
    return { ch, protocol, signingSecret };
  }

  /** Whether a task's channel calls back (its polls are then a sparse fallback); null: not pinned yet. */
  covers(channelId: string | null): boolean {
    return channelId !== null && this.protocolOf(channelId) !== undefined;
  }

  private urlFor(channelId: string, token?: string): string {
    return `${this.deps.baseUrl}${CALLBACK_PATH}/${encodeURIComponent(channelId)}${token ? `/${token}` : ''}`;
  }

  /**
   * Before a create: the callback URL to send with it (a fresh token, registered), or undefined when
   * the channel's provider takes none per task.
   */
  async callbackUrlFor(task: Pick<Task, 'id'>, channelId: string): Promise<string | undefined> {
    if (this.protocolOf(channelId)?.protocol.kind !== 'per-task') return undefined;
    const token = randomBytes(32).toString('base64url');
    await this.deps.repo.register(channelId, sha256(token), task.id, this.deps.clock.now());
    return this.urlFor(channelId, token);
  }

  /** After a create: a project webhook names the job, not our token, so the job id is registered. */
  async submitted(task: Pick<Task, 'id'>, channelId: string, upstreamId: string): Promise<void> {
    if (this.protocolOf(channelId)?.protocol.kind !== 'project-webhook') return;
    await this.deps.repo.register(channelId, jobRef(upstreamId), task.id, this.deps.clock.now());
  }

  /** Whether a callback made the task due since `sinceMs` (it came while a poll was asking). */
  pokedSince(taskId: string, sinceMs: number): Promise<boolean> {
    return this.deps.repo.pokedSince(taskId, sinceMs);
  }

  /** The project webhook URL to configure in the provider's dashboard for a channel. */
  projectWebhookUrl(channelId: string): string {
    return this.urlFor(channelId);
  }

  /** A callback arrived at `{CALLBACK_PATH}/{channelId}[/{token}]`. */
  async receive(channelId: string, token: string | undefined, cb: InboundCallback): Promise<CallbackReply> {
    const found = this.protocolOf(channelId);
    const notFound = { status: 404, body: { error: 'unknown callback URL' } };
    if (!found) return notFound;
    const { ch, protocol, signingSecret } = found;
    const body = parseBody(cb.body);
    let ref: string;
    // A signed callback's id (webhook-id, Vidu's nonce) is remembered once handled: the same again is a replay.
    let signedId: string | undefined;
    if (protocol.kind === 'per-task') {
      if (token === undefined || !TOKEN.test(token)) return notFound;
      if (ch.provider === 'vidu') {
        const nonce = verifyViduSignature(cb, signingSecret ?? '', new URL(this.urlFor(channelId, token)), this.deps.clock.now());
        if (nonce === null) return this.refused(channelId, 'signature');
        signedId = `${channelId}/${nonce}`;
      }
      const challenge = challengeOf(body);
      if (ch.provider === 'minimax' && challenge !== undefined) {
        // The URL check comes before any status: answer it only for a URL we issued.
        return (await this.deps.repo.taskFor(channelId, sha256(token))) === undefined ? notFound : { status: 200, body: { challenge } };
      }
      ref = sha256(token);
    } else {
      if (token !== undefined) return notFound;
      const id = verifyStandardWebhook(cb, signingSecret!, Math.floor(this.deps.clock.now() / 1000));
      if (id === null) return this.refused(channelId, 'signature');
      signedId = `${channelId}/${id}`;
      const jobId = (body as { data?: { id?: unknown } } | undefined)?.data?.id;
      // Events about other things in the project (or other resources) are none of our business.
      if (typeof jobId !== 'string' || jobId.length > 200) return this.answered(channelId, 'not a job event', protocol.accepted);
      ref = jobRef(jobId);
    }
    if (signedId !== undefined && this.seen.has(signedId)) return this.answered(channelId, 'replayed', protocol.accepted);
    const reply = protocol.intermediate(body)
      ? this.answered(channelId, 'intermediate', protocol.accepted)
      : protocol.kind === 'per-task'
        ? await this.poke(channelId, ref, protocol.accepted, notFound)
        : await this.poke(await this.channelHolding(channelId, signingSecret!, ref), ref, protocol.accepted, protocol.accepted);
    if (signedId !== undefined && reply.status < 300) this.seen.add(signedId);
    return reply;
  }

  /**
   * The channel that registered a project webhook's job: one project webhook URL (named after one
   * channel) hears every key of its project, so the job may have gone through another channel whose
   * events are signed with the same secret (a key pool). The called one first; alone, without asking.
   */
  private async channelHolding(called: string, secret: string, ref: string): Promise<string> {
    const siblings = this.deps.channelIds().filter((id) => id !== called && this.protocolOf(id)?.signingSecret === secret);
    if (siblings.length === 0) return called;
    for (const id of [called, ...siblings]) if ((await this.deps.repo.taskFor(id, ref)) !== undefined) return id;
    return called;
  }

  private async poke(channelId: string, ref: string, accepted: CallbackReply, unknown: CallbackReply): Promise<CallbackReply> {
    const now = this.deps.clock.now();
    const key = `${channelId}/${ref}`;
    const last = this.recent.get(key);
    if (last !== undefined && now - last < POKE_INTERVAL_MS) return this.answered(channelId, 'throttled', accepted);
    this.recent.set(key, now);
    if (this.recent.size > SEEN_IDS) this.recent.delete(this.recent.keys().next().value!);
    const outcome = await this.deps.repo.poke(channelId, ref, now, POKE_INTERVAL_MS);
    if (outcome.kind === 'unknown') {
      this.recent.delete(key);
      return unknown;
    }
    this.deps.log.debug({ channel: channelId, task: outcome.taskId, outcome: outcome.kind }, 'upstream callback');
    if (outcome.kind === 'due') this.deps.wake();
    return accepted;
  }

  private answered(channelId: string, why: string, reply: CallbackReply): CallbackReply {
    this.deps.log.debug({ channel: channelId, why }, 'upstream callback changed nothing');
    return reply;
  }

  private refused(channelId: string, why: string): CallbackReply {
    this.deps.log.warn({ channel: channelId, why }, 'upstream callback refused');
    return { status: 401, body: { error: 'bad callback signature' } };
  }
}
