import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in how the command was typed: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & { description: string; value?: string };

/** Options every command takes. */
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  'base-url': { type: 'string', value: 'URL', description: 'Gateway URL (default $VIDGATE_BASE_URL, else http://127.0.0.1:8080; a trailing /v1 is dropped)' },
  'api-key': { type: 'string', value: 'KEY', description: 'API key (default $VIDGATE_API_KEY)' },
  json: { type: 'boolean', description: 'Print the JSON answer instead of a summary' },
  help: { type: 'boolean', short: 'h', description: 'Show this help' },
};

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Parses one command's argv strictly; unknown flags and bad values are UsageErrors. */
export function parseCommandArgs(command: string, argv: string[], options: Record<string, OptionSpec>, allowPositionals: boolean): Parsed {
  const all = { ...options, ...COMMON_OPTIONS };
  const config: ParseArgsConfig['options'] = {};
  for (const [name, spec] of Object.entries(all)) {
    config[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) };
  }
  try {
    const { values, positionals } = parseArgs({ args: joinNegativeValues(argv, all), options: config, allowPositionals: true, allowNegative: true, strict: true });
    if (!allowPositionals && positionals.length > 0 && !values.help) throw new UsageError(`unexpected argument '${positionals[0]}'`, command);
    return { values: values as Parsed['values'], positionals };
  } catch (err) {
    if (err instanceof UsageError) throw err;
    // node:util's messages are clear ("Unknown option '--x'"); keep the first line, drop its hints about '--' and positionals.
    const message = err instanceof Error ? err.message.split('\n')[0].split('. To specify')[0].replace(/\.$/, '') : String(err);
    throw new UsageError(message, command);
  }
}

/**
 * `--limit -5` → `--limit=-5`: node:util takes a value starting with '-' only in the `=` form and
 * otherwise answers with a multi-line "ambiguous" message. A number is a value, never a flag, so
 * the flag's own check (numberFlag) can say what is wrong with it.
 */
function joinNegativeValues(argv: string[], options: Record<string, OptionSpec>): string[] {
  const takesValue = (arg: string) => {
    const name = arg.startsWith('--') ? arg.slice(2) : Object.keys(options).find((k) => arg === `-${options[k].short}`);
    return name !== undefined && options[name]?.type === 'string';
  };
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (next !== undefined && /^-\d/.test(next) && takesValue(argv[i])) {
      out.push(`${argv[i]}=${next}`);
      i++;
    } else out.push(argv[i]);
  }
  return out;
}

/** --limit 20 → 20; anything but a whole number ≥ 1 is a UsageError naming the flag. */
export function countFlag(values: Parsed['values'], name: string, command: string): number | undefined {
  const n = numberFlag(values, name, command);
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) throw new UsageError(`--${name} must be a whole number of at least 1 (got '${String(values[name])}')`, command);
  return n;
}

/** --status failed → 'failed'; a value not among `allowed` is a UsageError naming the flag and them. */
export function choiceFlag<T extends string>(values: Parsed['values'], name: string, allowed: readonly T[], command: string): T | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !(allowed as readonly string[]).includes(raw)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got '${String(raw)}')`, command);
  return raw as T;
}

/** --duration 5 → 5; anything else is a UsageError naming the flag. */
export function numberFlag(values: Parsed['values'], name: string, command: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number (got '${String(raw)}')`, command);
  return n;
}

export function helpText(usage: string, summary: string, options: Record<string, OptionSpec>): string {
  const rows = Object.entries({ ...options, ...COMMON_OPTIONS }).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}`;
    return [flag, spec.description];
  });
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  return `Usage: ${usage}\n\n${summary}\n\nOptions:\n${rows.map(([f, d]) => `  ${f.padEnd(width)}${d}`).join('\n')}\n`;
}
