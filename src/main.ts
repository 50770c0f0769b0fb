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
  let gw: RunningGateway;
  try {
    gw = await startGateway(config, logger, {
      // Printed once, to stderr, never logged: the store keeps only its hash.
      announceAdminKey: (secret) => process.stderr.write(`\n  Vidgate generated an admin API key (shown only this once; set VIDGATE_ADMIN_KEY to choose your own):\n\n    ${secret}\n\n`),
    });
  } catch (err) {
    if (err instanceof StartupError || err instanceof ConfigError) fail(`failed to start: ${err.message}`, 1);
    throw err;
  }
  logger.info({ url: gw.url, sandbox: gw.sandbox ? Object.keys(gw.sandbox) : null, dataDir: config.dataDir }, `Vidgate listening on ${gw.url}${gw.sandbox ? ' (sandbox mode: simulated providers)' : ''}`);
  let stopping = false;
  const stop = (signal: string) => {
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
}

main().catch((err) => {
  // A bug, not a configuration problem: keep the stack for the report.
  process.stderr.write(`vidgate: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
