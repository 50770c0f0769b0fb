/**
 * A channel: one way to reach an upstream — a provider's protocol at a base URL with one set of
 * credentials, serving some of the provider's models (each under the upstream id this channel
 * uses), with a priority, a weight and optional limits of its own. Defined by the environment
 * (src/channels/from-env.ts), by VIDGATE_CONFIG (src/channels/config-file.ts) or by the sandbox.
 */
import type { ProviderName } from '../catalog/types.js';
import type { ChannelEndpoint } from '../providers/manifest.js';
import { manifestOf } from '../providers/registry.js';

export interface ChannelConfig {
  /** URL-safe and unique: it names the channel in the admin view, the task row and callback URLs. */
  id: string;
  provider: ProviderName;
  /** A protocol of the provider's manifest (`openai`, `azure-openai`, …). */
  protocol: string;
  endpoint: ChannelEndpoint;
  /**
   * The catalog models this channel serves → the upstream id it sends for each (null: the catalog's,
   * in the protocol's spelling). Null: every model of the provider.
   */
  models: Record<string, string | null> | null;
  /** Higher first; channels of equal priority share the load by weight. */
  priority: number;
  weight: number;
  /** Jobs in flight upstream on this channel at most (across every node). */
  concurrency?: number;
  /** Submissions per minute at most. */
  rpm?: number;
}

export const CHANNEL_ID = /^[a-z0-9][a-z0-9-]*$/;
export const CHANNEL_ID_RULE = 'lowercase letters, digits and dashes, starting with a letter or digit';

/** A credential of only commas and blanks: never a key (a pool that came out empty). */
export function holdsNoKey(value: string): boolean {
  return /^[\s,]*$/.test(value);
}

/**
 * Why an http(s) URL cannot be a channel's base URL, or null. Request paths are appended to it, so
 * a query or fragment would swallow them; and fetch refuses any URL with user:password@ in it, so
 * every call would fail (a create as if it had been sent). The message never repeats the URL.
 */
export function baseUrlProblem(url: string): string | null {
  const u = new URL(url);
  if (u.username !== '' || u.password !== '') return 'must not carry credentials (user:password@); give them in the credentials';
  if (u.search !== '' || u.hash !== '') return 'must be a plain base URL, without a query or fragment (request paths are appended to it)';
  return null;
}

export const DEFAULT_PRIORITY = 0;
export const DEFAULT_WEIGHT = 1;

/**
 * The priority of a channel whose configuration names none (environment channels, the sandbox's):
 * the provider's default protocol first, its other protocols standing by (they take tasks it
 * cannot serve, and take over when it fails). A configuration file sets priorities explicitly.
 */
export function implicitPriority(provider: ProviderName, protocol: string): number {
  return manifestOf(provider)?.defaultProtocol === protocol ? DEFAULT_PRIORITY : DEFAULT_PRIORITY - 1;
}

/**
 * A channel as the environment and the sandbox define them: named after its protocol (or `id`), serving
 * every model of the provider, at the provider's implicit priority, with the default weight.
 */
export function implicitChannel(provider: ProviderName, protocol: string, endpoint: ChannelEndpoint, id: string = protocol): ChannelConfig {
  return { id, provider, protocol, endpoint, models: null, priority: implicitPriority(provider, protocol), weight: DEFAULT_WEIGHT };
}
