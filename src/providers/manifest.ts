/**
 * A provider's manifest: its name and, per wire protocol it speaks, the environment names of its
 * credentials and base URL and how to build its adapter for one channel. Configuration, the sandbox
 * and the channels read these; no shared file lists a provider's environment names.
 *
 * A provider may speak several protocols (Sora over OpenAI or Azure OpenAI), and a protocol may
 * serve several channels, each with its own base URL and credentials (src/channels/).
 */
import type { ProviderName } from '../catalog/types.js';
import type { ResolvedVideoRequest } from '../contract/video-request.js';
import type { ProviderAdapter } from './types.js';

/** Where one channel sends its calls and with which credentials (keyed by environment variable name). */
export interface ChannelEndpoint {
  credentials: Record<string, string>;
  /** Null: the protocol's default base URL. */
  baseUrl: string | null;
  /** Non-secret settings of the protocol (keyed by environment variable name), e.g. VERTEX_PROJECT. */
  settings?: Record<string, string>;
}

/** Why a protocol cannot serve a request that the catalog accepts (the parameter at fault, and what to do). */
export interface ProtocolRefusal {
  param: string;
  /** The error code of the 400 (the catalog's code for the same parameter). */
  code: string;
  reason: string;
}

export interface ProtocolManifest {
  /** Alternative credential sets, in order of preference: a channel needs every variable of one set. */
  credentials: string[][];
  /**
   * Credential variables whose value is one value even with commas in it (a service-account JSON
   * key, a project id): never split into a key pool. Every other credential variable may list
   * several comma-separated keys.
   */
  unpooled?: string[];
  /** `default: null`: the base URL is required (an Azure resource endpoint has no default). */
  baseUrl: { env: string; default: string | null };
  /** Optional non-secret settings it reads (environment names), passed as `endpoint.settings`. */
  settings?: string[];
  /** Checks a channel's credentials and settings before anything starts; throws a one-line message. */
  validate?(endpoint: ChannelEndpoint): void;
  create(endpoint: ChannelEndpoint): ProviderAdapter;
  /** The upstream model id this protocol uses for the catalog's (e.g. Volcengine's `doubao-` ids); default: the same. */
  upstreamModel?(catalogUpstreamId: string): string;
  /** Why this protocol cannot serve a request (e.g. a parameter only another protocol takes), or null. */
  supports?(request: ResolvedVideoRequest): ProtocolRefusal | null;
  /**
   * True when this protocol serves the request only by making up for the upstream afterwards (Veo 3
   * without audio on the Gemini API: the finisher removes the track): the router then prefers the
   * channels that render it as asked.
   */
  degrades?(request: ResolvedVideoRequest): boolean;
}

export interface ProviderManifest {
  name: ProviderName;
  protocols: Record<string, ProtocolManifest>;
  /** The protocol of the provider's first channel before channels existed: tasks stored then are pinned to it. */
  defaultProtocol: string;
}

/** A protocol of a provider; throws naming the known ones. */
export function protocolOf(m: ProviderManifest, protocol: string = m.defaultProtocol): ProtocolManifest {
  const p = m.protocols[protocol];
  if (!p) throw new Error(`${m.name} has no protocol '${protocol}' (known: ${Object.keys(m.protocols).join(', ')})`);
  return p;
}

/** Every environment name a provider reads (credentials of all sets, base URLs). */
export function environmentNames(m: ProviderManifest): string[] {
  return [...new Set(Object.values(m.protocols).flatMap((p) => [...p.credentials.flat(), p.baseUrl.env, ...(p.settings ?? [])]))];
}

/** The common case: one protocol authenticated by one API key variable. */
export function apiKeyProtocol(
  env: { key: string; baseUrl: string; defaultBaseUrl: string | null },
  create: (o: { apiKey: string; baseUrl?: string }) => ProviderAdapter,
  extra: Pick<ProtocolManifest, 'upstreamModel' | 'supports' | 'degrades'> = {},
): ProtocolManifest {
  return {
    credentials: [[env.key]],
    baseUrl: { env: env.baseUrl, default: env.defaultBaseUrl },
    create: (c) => create({ apiKey: c.credentials[env.key], baseUrl: c.baseUrl ?? undefined }),
    ...extra,
  };
}

/** A provider with one protocol authenticated by one API key variable. */
export function apiKeyManifest(
  name: ProviderName,
  protocol: string,
  env: { key: string; baseUrl: string; defaultBaseUrl: string },
  create: (o: { apiKey: string; baseUrl?: string }) => ProviderAdapter,
): ProviderManifest {
  return { name, defaultProtocol: protocol, protocols: { [protocol]: apiKeyProtocol(env, create) } };
}
