/**
 * xAI's native error body: {"code": <gRPC status description>, "error": <human message>}
 * (spec providers-1 §3.7). The code strings are the standard gRPC descriptions xAI returns.
 */
export const GRPC_DESCRIPTION = {
  INVALID_ARGUMENT: 'Client specified an invalid argument',
  NOT_FOUND: 'Some requested entity was not found',
  PERMISSION_DENIED: 'The caller does not have permission to execute the specified operation',
  UNAUTHENTICATED: 'The request does not have valid authentication credentials',
  RESOURCE_EXHAUSTED: 'Some resource has been exhausted',
  INTERNAL: 'Internal error',
  UNAVAILABLE: 'The service is currently unavailable',
} as const;

export class XaiHttpError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toBody(): { code: string; error: string } {
    return { code: this.code, error: this.message };
  }
}

export const invalidArgument = (message: string) => new XaiHttpError(400, GRPC_DESCRIPTION.INVALID_ARGUMENT, message);

export const notFound = (message: string) => new XaiHttpError(404, GRPC_DESCRIPTION.NOT_FOUND, message);

export function missingKey(): XaiHttpError {
  return new XaiHttpError(401, GRPC_DESCRIPTION.UNAUTHENTICATED, 'No API key provided. Send it as "Authorization: Bearer <XAI_API_KEY>". You can obtain an API key from https://console.x.ai.');
}

/** xAI answers a wrong key with 400 and a masked echo of it (first and last two characters). */
export function incorrectKey(given: string): XaiHttpError {
  const masked = given.length > 6 ? `${given.slice(0, 2)}***${given.slice(-2)}` : '***';
  return invalidArgument(`Incorrect API key provided: ${masked}. You can obtain an API key from https://console.x.ai.`);
}

export function rateLimited(model: string, retryAfterSeconds: number): XaiHttpError {
  return new XaiHttpError(429, GRPC_DESCRIPTION.RESOURCE_EXHAUSTED, `Too many requests: your team has exceeded its rate limit for ${model}. Please retry after ${retryAfterSeconds} seconds.`, {
    'retry-after': String(retryAfterSeconds),
  });
}

export function serverError(httpStatus: 500 | 503): XaiHttpError {
  return httpStatus === 503
    ? new XaiHttpError(503, GRPC_DESCRIPTION.UNAVAILABLE, 'The service is temporarily at capacity. Please retry your request shortly.')
    : new XaiHttpError(500, GRPC_DESCRIPTION.INTERNAL, 'An internal error occurred while processing the request.');
}

/** A prompt refused by moderation at create time (xAI answers 400 invalid argument). */
export const moderationRefusal = () => invalidArgument('Prompt rejected by content moderation: it may violate the usage guidelines. Rephrase the request.');
