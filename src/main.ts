import { ConfigError, loadConfig, StartupError } from './config.js';
import { createLogger, startGateway } from './server.js';

/** `npm start`: run the gateway until SIGTERM/SIGINT, then shut down gracefully. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`vidgate: configuration error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  let gw;
  try {
    gw = await startGateway(config, logger);
  } catch (err) {
    if (err instanceof StartupError) {
      process.stderr.write(`vidgate: cannot start: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (gw.generatedAdminKey) {
    // Printed once, to stderr, never logged: the store keeps only its hash.
    process.stderr.write(
      `\n  Vidgate generated an admin API key (shown only this once; set VIDGATE_ADMIN_KEY to choose your own):\n\n    ${gw.generatedAdminKey}\n\n`,
    );
  }
  logger.info({ url: gw.url, sandbox: gw.sandbox ? Object.keys(gw.sandbox) : null, dataDir: config.dataDir }, `Vidgate listening on ${gw.url}${gw.sandbox ? ' (sandbox mode: simulated providers)' : ''}`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    gw.close().then(
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
  process.stderr.write(`vidgate: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
