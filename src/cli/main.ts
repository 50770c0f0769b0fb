#!/usr/bin/env node
/**
 * `vidgate`: the command line for a Vidgate gateway. Every failure is one readable line on stderr
 * and a non-zero exit (1: the server or the task said no; 2: the command was mistyped) — never a
 * stack trace.
 */
import { Vidgate, VidgateError } from '../client/index.js';
import { isHttpUrl } from '../client/vidgate.js';
import { helpText, parseCommandArgs, UsageError } from './args.js';
import { COMMANDS, Interrupted, TaskFailed } from './commands.js';

const DEFAULT_BASE_URL = 'http://127.0.0.1:8080';

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return `Usage: vidgate <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary.split('\n')[0]}`).join('\n')}

Every command takes --base-url (or $VIDGATE_BASE_URL, default ${DEFAULT_BASE_URL}),
--api-key (or $VIDGATE_API_KEY), --json and --help. Run 'vidgate <command> --help' for its options.
`;
}

function describeError(err: unknown): string {
  if (err instanceof VidgateError && err.code === 'missing_api_key') return 'vidgate: this gateway needs an API key: set VIDGATE_API_KEY or pass --api-key sk-…';
  if (err instanceof VidgateError) {
    const extras = [err.param ? `param: ${err.param}` : '', err.requestId ? `request id: ${err.requestId}` : ''].filter(Boolean);
    return `vidgate: ${err.message}${extras.length ? ` (${extras.join(', ')})` : ''}`;
  }
  if (err instanceof TaskFailed) return `vidgate: ${err.message}`;
  return `vidgate: ${err instanceof Error ? err.message : String(err)}`;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(overview());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write('vidgate 0.1.0\n');
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(`unknown command '${name}'; commands: ${COMMANDS.map((c) => c.name).join(', ')}`);
    const parsed = parseCommandArgs(command.name, rest, command.options, command.positionals.length > 0);
    if (parsed.values.help) {
      process.stdout.write(helpText(command.usage, command.summary, command.options));
      return 0;
    }
    if (parsed.positionals.length !== command.positionals.length) {
      throw new UsageError(`expected ${command.positionals.join(' ')}; usage: ${command.usage}`, command.name);
    }
    // `vidgate status "$TASK_ID"` with the variable unset: a mistyped command, not a request.
    const empty = parsed.positionals.findIndex((p) => p.trim() === '');
    if (empty >= 0) throw new UsageError(`${command.positionals[empty]} is empty; usage: ${command.usage}`, command.name);
    const baseUrl = (parsed.values['base-url'] as string | undefined) ?? env.VIDGATE_BASE_URL ?? DEFAULT_BASE_URL;
    // 'localhost:8080' parses as a URL (of scheme 'localhost:'): only http(s) reaches a gateway.
    if (!isHttpUrl(baseUrl)) throw new UsageError(`--base-url '${baseUrl}' is not an http(s) URL (e.g. ${DEFAULT_BASE_URL})`, command.name);
    const apiKey = (parsed.values['api-key'] as string | undefined) ?? env.VIDGATE_API_KEY;
    let client: Vidgate;
    try {
      client = new Vidgate({ baseUrl, apiKey });
    } catch (err) {
      // What the constructor refuses (an API key that cannot be sent) is how the command was given.
      throw new UsageError(`--api-key: ${(err as Error).message.replace(/^Vidgate: apiKey /, 'the key ')}`, command.name);
    }
    await command.run({ values: parsed.values, positionals: parsed.positionals, client, stdout: process.stdout, stderr: process.stderr });
    return 0;
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n`);
    if (err instanceof UsageError) {
      process.stderr.write(`Run 'vidgate ${err.command ? `${err.command} ` : ''}--help' for usage.\n`);
      return 2;
    }
    return err instanceof Interrupted ? 130 : 1;
  }
}

// A reader that stopped reading (`vidgate tasks | head -1`, `| grep -q …`) makes writes fail with
// EPIPE: stop quietly, as Unix tools do, instead of an unhandled 'error' event and its stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') process.stderr.write(`vidgate: cannot write the output: ${err.message}\n`);
  process.exit(err.code === 'EPIPE' ? 0 : 1);
});
// Nowhere left to report a failure to write stderr itself.
process.stderr.on('error', () => undefined);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Not expected (main catches everything), but never a stack trace.
    process.stderr.write(`${describeError(err)}\n`);
    process.exitCode = 1;
  },
);
