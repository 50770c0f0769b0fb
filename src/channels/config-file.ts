/**
 * VIDGATE_CONFIG: a JSON file defining any number of channels, several per provider if wanted.
 * Validated as a whole before anything starts; every error is one line naming the JSON path.
 *
 * {"channels": [{"id": "sora-eu", "provider": "openai", "protocol": "azure-openai",
 *   "base_url": "https://my-eu.openai.azure.com", "credentials": {"AZURE_OPENAI_API_KEY": {"env": "SORA_EU_KEY"}},
 *   "models": {"sora-2": "my-sora-deployment"}, "priority": 10, "weight": 2, "concurrency": 4, "rpm": 30}]}
 *
 * Credentials are keyed by the protocol's environment names (its manifest); a value is the secret
 * itself or `{"env": "NAME"}`, read from the environment so the file itself can hold no secret.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Catalog } from '../catalog/catalog.js';
import type { ProviderName } from '../catalog/types.js';
import { builtProviders, manifestOf } from '../providers/registry.js';
import { baseUrlProblem, CHANNEL_ID, holdsNoKey, CHANNEL_ID_RULE, DEFAULT_PRIORITY, DEFAULT_WEIGHT, type ChannelConfig } from './channel.js';

const secret = z.union([z.string().min(1, 'must not be empty'), z.strictObject({ env: z.string().min(1, 'must name an environment variable') })]);

// Either form names at least one model: a channel serving none would silently never be used.
const NO_MODEL = 'must name at least one model';
const models = z.union([z.array(z.string()).min(1, NO_MODEL), z.record(z.string(), z.string().min(1).nullable()).refine((m) => Object.keys(m).length > 0, NO_MODEL)], {
  error: 'must be a list of model ids, or an object of model id → upstream id (null: the usual one)',
});

const channelSchema = z.strictObject({
  id: z.string().regex(CHANNEL_ID, `must be ${CHANNEL_ID_RULE}`).max(64, 'must be at most 64 characters'),
  provider: z.enum(builtProviders() as [ProviderName, ...ProviderName[]]),
  protocol: z.string().optional(),
  base_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  credentials: z.record(z.string(), secret),
  settings: z.record(z.string(), z.string().min(1, 'must not be empty')).optional(),
  models: models.optional(),
  priority: z.number().int('must be a whole number').optional(),
  weight: z.number().int('must be a whole number').min(1, 'must be at least 1').optional(),
  concurrency: z.number().int('must be a whole number').min(1, 'must be at least 1').optional(),
  rpm: z.number().int('must be a whole number').min(1, 'must be at least 1').optional(),
});

const fileSchema = z.strictObject({ channels: z.array(channelSchema) });

type FileChannel = z.infer<typeof channelSchema>;

/** A problem at a JSON path, e.g. `channels[1].credentials`. */
class AtPath extends Error {
  constructor(path: (string | number | symbol)[], message: string) {
    super(`${formatPath(path)}: ${message}`);
  }
}

function formatPath(path: (string | number | symbol)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('') || '(top level)';
}

function resolveSecret(value: z.infer<typeof secret>, env: Record<string, string | undefined>, path: (string | number)[]): string {
  if (typeof value === 'string') {
    if (holdsNoKey(value)) throw new AtPath(path, 'holds no key, only commas and blanks');
    return value;
  }
  const v = env[value.env]?.trim();
  if (!v) throw new AtPath(path, `names the environment variable ${value.env}, which is not set`);
  if (holdsNoKey(v)) throw new AtPath(path, `names the environment variable ${value.env}, which holds no key, only commas and blanks`);
  return v;
}

function toChannel(c: FileChannel, index: number, env: Record<string, string | undefined>, catalog: Catalog): ChannelConfig {
  const at = (...rest: (string | number)[]) => ['channels', index, ...rest];
  const m = manifestOf(c.provider)!;
  const protocol = c.protocol ?? m.defaultProtocol;
  const p = m.protocols[protocol];
  if (!p) throw new AtPath(at('protocol'), `'${protocol}' is not a protocol of ${c.provider} (known: ${Object.keys(m.protocols).join(', ')})`);
  const known = new Set(p.credentials.flat());
  for (const name of Object.keys(c.credentials)) {
    if (!known.has(name)) throw new AtPath(at('credentials', name), `is not a credential of ${protocol} (it takes ${p.credentials.map((s) => s.join(' + ')).join(', or ')})`);
  }
  const set = p.credentials.find((s) => s.every((name) => name in c.credentials));
  if (!set) throw new AtPath(at('credentials'), `${protocol} needs ${p.credentials.map((s) => s.join(' + ')).join(', or ')}`);
  const credentials = Object.fromEntries(set.map((name) => [name, resolveSecret(c.credentials[name], env, at('credentials', name))]));
  if (c.base_url === undefined && p.baseUrl.default === null) throw new AtPath(at('base_url'), `is required for ${protocol}`);
  const urlProblem = c.base_url === undefined ? null : baseUrlProblem(c.base_url);
  if (urlProblem) throw new AtPath(at('base_url'), urlProblem);
  const settingNames = new Set(p.settings ?? []);
  for (const name of Object.keys(c.settings ?? {})) {
    if (!settingNames.has(name)) throw new AtPath(at('settings', name), `is not a setting of ${protocol} (${settingNames.size ? `it takes ${[...settingNames].join(', ')}` : 'it takes none'})`);
  }
  const endpoint = { credentials, baseUrl: c.base_url?.replace(/\/+$/, '') ?? null, ...(c.settings ? { settings: c.settings } : {}) };
  try {
    p.validate?.(endpoint);
  } catch (err) {
    throw new AtPath(at('credentials'), (err as Error).message);
  }
  let models: ChannelConfig['models'] = null;
  if (c.models) {
    models = Array.isArray(c.models) ? Object.fromEntries(c.models.map((id) => [id, null])) : c.models;
    for (const id of Object.keys(models)) {
      const spec = catalog.byId(id);
      if (!spec || spec.provider !== c.provider) {
        const offered = catalog
          .all()
          .filter((s) => s.provider === c.provider)
          .map((s) => s.id);
        throw new AtPath(at('models', id), `is not a ${c.provider} model (${c.provider} has ${offered.join(', ')})`);
      }
    }
  }
  return {
    id: c.id,
    provider: c.provider,
    protocol,
    endpoint,
    models,
    priority: c.priority ?? DEFAULT_PRIORITY,
    weight: c.weight ?? DEFAULT_WEIGHT,
    concurrency: c.concurrency,
    rpm: c.rpm,
  };
}

/** Parses and checks a configuration file's text; throws one line naming the JSON path. */
export function channelsFromConfigText(text: string, env: Record<string, string | undefined>, catalog: Catalog): ChannelConfig[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`is not valid JSON (${(err as Error).message})`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AtPath(issue.path, issue.message);
  }
  const channels = parsed.data.channels.map((c, i) => toChannel(c, i, env, catalog));
  const seen = new Set<string>();
  channels.forEach((c, i) => {
    if (seen.has(c.id)) throw new AtPath(['channels', i, 'id'], `'${c.id}' is used by an earlier channel; ids must be unique`);
    seen.add(c.id);
  });
  return channels;
}

/** Reads VIDGATE_CONFIG's file; errors start with the file's path. */
export function channelsFromConfigFile(path: string, env: Record<string, string | undefined>, catalog: Catalog): ChannelConfig[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`VIDGATE_CONFIG: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return channelsFromConfigText(text, env, catalog);
  } catch (err) {
    throw new Error(`VIDGATE_CONFIG (${path}) ${(err as Error).message}`);
  }
}
