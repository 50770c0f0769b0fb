import { type Config, ConfigError, loadConfig } from './config.js';
import { createLogger, type RunningGateway, startGateway, StartupError } from './server.js';

/** Beyond the grace period, the few seconds releasing leases and closing the store may take. */
const SHUTDOWN_SLACK_MS = 5_000;

function fail(message: string, code: number): never {
  process.stderr.write(`vidgate: ${message}\n`);
  process.exit(code);
}

/** `npm start`: run the gateway until SIGTERM/SIGINT, then shut down within the grace period. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(`configuration error: ${err.message}`, 2);
    throw err;
  }
  const logger = createLogger(config.logLevel);
  let gw: RunningGateway | null = null;
  /** A signal that came while the engine thread was still starting (the API already answers): acted on once started. */
  let pending: string | null = null;
  let listening = false;
  let stopping = false;
  const stop = (signal: string) => {
    if (!gw) {
      // Before the API answers there is nothing to drain: stop now, as an unhandled signal would.
      if (!listening) process.exit(1);
      if (pending === null) logger.info({ signal }, 'stopping once the start has finished');
      pending ??= signal;
      return;
    }
    if (stopping) return;
    stopping = true;
    const graceMs = config.http.shutdownGraceMs;
    logger.info({ signal, graceMs }, 'shutting down');
    // Whatever happens inside close, the process is gone within the documented bound.
    setTimeout(() => {
      logger.error({ graceMs }, 'shutdown did not finish in time; exiting anyway');
      process.exit(1);
    }, graceMs + SHUTDOWN_SLACK_MS).unref();
    gw.close(graceMs).then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    gw = await startGateway(config, logger, {
      // Printed once, to stderr, never logged: the store keeps only its hash.
      announceAdminKey: (secret) => process.stderr.write(`\n  Vidgate generated an admin API key (shown only this once; set VIDGATE_ADMIN_KEY to choose your own):\n\n    ${secret}\n\n`),
      // As soon as the API answers (the engine thread may still be starting: it logs "engine started").
      onListening: (url, sandbox) => {
        listening = true;
        logger.info({ url, sandbox, dataDir: config.dataDir }, `Vidgate listening on ${url}${sandbox ? ' (sandbox mode: simulated providers)' : ''}`);
      },
    });
  } catch (err) {
    if (err instanceof StartupError || err instanceof ConfigError) fail(`failed to start: ${err.message}`, 1);
    throw err;
  }
  if (pending) stop(pending);
}

main().catch((err) => {
  // A bug, not a configuration problem: keep the stack for the report.
  process.stderr.write(`vidgate: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
