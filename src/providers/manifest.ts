/**
 * A provider's manifest: its name and, per wire protocol it speaks, the environment names of its
 * credentials and base URL and how to build its adapter for a channel. Configuration, the sandbox
 * and the registry read these; no shared file lists a provider's environment names.
 *
 * A provider may speak several protocols (Veo over the Gemini API or Vertex AI), and a protocol may
 * serve several channels, each with its own base URL and credentials; today every provider has one
 * protocol and the environment gives it one channel.
 */
import type { ProviderName } from '../catalog/types.js';
import type { ProviderAdapter } from './types.js';

/** Where one channel sends its calls and with which credentials (keyed by environment variable name). */
export interface Channel {
  credentials: Record<string, string>;
  baseUrl: string | null;
  /** The manifest protocol this channel speaks; the provider's default when absent. */
  protocol?: string;
}

export interface ProtocolManifest {
  /** Alternative credential sets, in order of preference: a channel needs every variable of one set. */
  credentials: string[][];
  baseUrl: { env: string; default: string };
  create(channel: Channel): ProviderAdapter;
}

export interface ProviderManifest {
  name: ProviderName;
  protocols: Record<string, ProtocolManifest>;
  defaultProtocol: string;
}

/** A protocol of a provider (its default when the channel names none). */
export function protocolOf(m: ProviderManifest, channel?: Pick<Channel, 'protocol'>): ProtocolManifest {
  const name = channel?.protocol ?? m.defaultProtocol;
  const p = m.protocols[name];
  if (!p) throw new Error(`${m.name} has no protocol '${name}' (known: ${Object.keys(m.protocols).join(', ')})`);
  return p;
}

/** Every environment name a provider reads (credentials of all sets, base URLs). */
export function environmentNames(m: ProviderManifest): string[] {
  return [...new Set(Object.values(m.protocols).flatMap((p) => [...p.credentials.flat(), p.baseUrl.env]))];
}

/**
 * The channel the environment configures for a provider's default protocol: null when none of its
 * credential variables is set; the first complete credential set otherwise. A partial set with no
 * complete one throws a one-line message naming what is missing.
 */
export function channelFromEnv(m: ProviderManifest, env: Record<string, string | undefined>): Channel | null {
  const p = protocolOf(m);
  const value = (name: string) => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? null : raw.trim();
  };
  const anySet = p.credentials.flat().some((name) => value(name) !== null);
  if (!anySet) return null;
  const complete = p.credentials.find((set) => set.every((name) => value(name) !== null));
  if (!complete) {
    const options = p.credentials.map((set) => set.join(' + ')).join(', or ');
    const missing = p.credentials
      .map((set) => set.filter((name) => value(name) === null).join(', '))
      .filter(Boolean)
      .join(' / ');
    throw new Error(`${m.name} needs ${options}; missing ${missing}`);
  }
  return { credentials: Object.fromEntries(complete.map((name) => [name, value(name)!])), baseUrl: null };
}

/** The common case: one protocol authenticated by one API key variable. */
export function apiKeyManifest(
  name: ProviderName,
  protocol: string,
  env: { key: string; baseUrl: string; defaultBaseUrl: string },
  create: (o: { apiKey: string; baseUrl?: string }) => ProviderAdapter,
): ProviderManifest {
  return {
    name,
    defaultProtocol: protocol,
    protocols: {
      [protocol]: {
        credentials: [[env.key]],
        baseUrl: { env: env.baseUrl, default: env.defaultBaseUrl },
        create: (c) => create({ apiKey: c.credentials[env.key], baseUrl: c.baseUrl ?? undefined }),
      },
    },
  };
}
