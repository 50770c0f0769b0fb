import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/**
 * The gateway's log options: JSON lines, and nothing that looks like a credential. The HTTP side
 * adds its request serializer (src/server.ts); the engine thread logs no requests.
 */
export function loggerOptions(level: string, base: Record<string, unknown> = { service: 'vidgate' }): LoggerOptions {
  return {
    level,
    base,
    // Belt and braces: nothing that looks like a credential reaches the log.
    redact: { paths: ['req.headers.authorization', 'headers.authorization', '*.apiKey', '*.api_key', 'key', 'secret'], censor: '[redacted]' },
  };
}

/** Where a logger writes its lines (so another thread's finished lines can be written there too). */
export function destinationOf(logger: Logger): DestinationStream {
  return (logger as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym];
}

/** The fields a logger adds to every line (pid and hostname included, which `bindings()` leaves out). */
export function baseOf(logger: Logger): Record<string, unknown> {
  const chindings = (logger as unknown as Record<symbol, string | undefined>)[pino.symbols.chindingsSym] ?? '';
  return chindings ? (JSON.parse(`{${chindings.slice(1)}}`) as Record<string, unknown>) : {};
}
