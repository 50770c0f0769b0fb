/**
 * The channels the environment defines: for every protocol of every provider manifest whose
 * credential variables are set, one channel named after the protocol (`openai`, `azure-openai`,
 * `kling-api-key`, …). A comma-separated list of keys (a key pool) gives one channel per key,
 * named `<protocol>-1`, `<protocol>-2`, … sharing the load equally. A provider's default protocol
 * comes first; its other protocols stand by (channel.ts). Throws a one-line message on an
 * incomplete setting.
 */
import { PROVIDER_MANIFESTS } from '../providers/registry.js';
import type { ProtocolManifest, ProviderManifest } from '../providers/manifest.js';
import { baseUrlProblem, holdsNoKey, implicitChannel, type ChannelConfig } from './channel.js';

type Env = Record<string, string | undefined>;

/**
 * A variable's entries as written: its comma-separated list (blanks kept, in place), or (unpooled)
 * its one value; none when it is unset or blank, like every other variable. Only commas and blanks
 * is refused: it would configure nothing (and, with no other credential, start the sandbox). The
 * message names the variable, never its value.
 */
function entries(env: Env, name: string, p?: ProtocolManifest): string[] {
  const raw = (env[name] ?? '').trim();
  if (raw === '') return [];
  if (p?.unpooled?.includes(name)) return [raw];
  if (holdsNoKey(raw)) throw new Error(`${name} is set but lists no key, only commas and blanks; unset it, or give a key (several, comma-separated, make a pool)`);
  return raw.split(',').map((v) => v.trim());
}

/** A variable's values: its entries without the blank ones (a trailing or doubled comma drops no key). */
function values(env: Env, name: string, p?: ProtocolManifest): string[] {
  return entries(env, name, p).filter((v) => v !== '');
}

/** The credential set the environment completes (first in preference order), or null when none of its variables is set. */
function completeSet(m: ProviderManifest, protocol: string, p: ProtocolManifest, env: Env): string[] | null {
  const anySet = p.credentials.flat().some((name) => values(env, name, p).length > 0);
  if (!anySet) return null;
  const complete = p.credentials.find((set) => set.every((name) => values(env, name, p).length > 0));
  if (complete) return complete;
  const options = p.credentials.map((set) => set.join(' + ')).join(', or ');
  const missing = p.credentials
    .map((set) => set.filter((name) => values(env, name, p).length === 0).join(', '))
    .filter(Boolean)
    .join(' / ');
  throw new Error(`${m.name} (${protocol}) needs ${options}; missing ${missing}`);
}

/** One credential record per key of the pool; a variable with one value is shared by all. */
function pool(set: string[], env: Env, p: ProtocolManifest): Record<string, string>[] {
  // Variables paired by position (an access key and its secret): a blank entry would shift the
  // pairs (`,a2` beside `s1,s2` shared a2 with both secrets), so there it is refused.
  if (set.length > 1) {
    for (const name of set) {
      const list = entries(env, name, p);
      const blank = list.indexOf('');
      if (blank !== -1)
        throw new Error(`${name} has an empty entry (${blank + 1} of ${list.length}), and its keys pair by position with ${set.filter((n) => n !== name).join(', ')}; remove the stray comma or fill in the missing key`);
    }
  }
  const lists = set.map((name) => ({ name, list: values(env, name, p) }));
  const size = Math.max(...lists.map((l) => l.list.length));
  for (const l of lists) {
    if (l.list.length !== 1 && l.list.length !== size) {
      const other = lists.find((o) => o.list.length === size)!;
      throw new Error(`${l.name} lists ${l.list.length} values but ${other.name} lists ${size}; give one value or as many (a key pool pairs them by position)`);
    }
  }
  return Array.from({ length: size }, (_, i) => Object.fromEntries(lists.map((l) => [l.name, l.list.length === 1 ? l.list[0] : l.list[i]])));
}

export function channelsFromEnv(env: Env, readUrl: (name: string) => string | null): ChannelConfig[] {
  const out: ChannelConfig[] = [];
  for (const m of PROVIDER_MANIFESTS) {
    for (const [protocol, p] of Object.entries(m.protocols)) {
      const set = completeSet(m, protocol, p, env);
      if (!set) continue;
      const baseUrl = readUrl(p.baseUrl.env);
      if (baseUrl === null && p.baseUrl.default === null) throw new Error(`${m.name} (${protocol}) needs ${p.baseUrl.env} with ${set.join(' + ')}`);
      const urlProblem = baseUrl === null ? null : baseUrlProblem(baseUrl);
      if (urlProblem) throw new Error(`${p.baseUrl.env} ${urlProblem}`);
      const keys = pool(set, env, p);
      const settings = Object.fromEntries((p.settings ?? []).flatMap((name) => (env[name]?.trim() ? [[name, env[name]!.trim()]] : [])));
      keys.forEach((credentials, i) => {
        const endpoint = { credentials, baseUrl, ...(Object.keys(settings).length > 0 ? { settings } : {}) };
        p.validate?.(endpoint);
        out.push(implicitChannel(m.name, protocol, endpoint, keys.length === 1 ? protocol : `${protocol}-${i + 1}`));
      });
    }
  }
  return out;
}
