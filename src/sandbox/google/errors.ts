/** gRPC canonical codes, used in `google.rpc.Status.code` inside operations. */
export const GRPC_CODE = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

export type GoogleStatus = keyof typeof GRPC_CODE;

/** A `google.rpc.Status` as it appears in a finished operation's `error`. */
export interface OperationError {
  code: number;
  message: string;
  status: string;
  details?: unknown[];
}

/** An HTTP error answered with Google's envelope: {"error":{"code","message","status","details?"}}. */
export class GoogleHttpError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly status: GoogleStatus,
    message: string,
    readonly details?: unknown[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toBody() {
    return {
      error: {
        code: this.httpStatus,
        message: this.message,
        status: this.status,
        ...(this.details ? { details: this.details } : {}),
      },
    };
  }
}

export const invalidArgument = (message: string) => new GoogleHttpError(400, 'INVALID_ARGUMENT', message);

export const notFound = (message: string) => new GoogleHttpError(404, 'NOT_FOUND', message);

const KEY_ERROR_INFO = (reason: string) => ({
  '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
  reason,
  domain: 'googleapis.com',
  metadata: { service: 'generativelanguage.googleapis.com' },
});

export function missingKey(): GoogleHttpError {
  return new GoogleHttpError(403, 'PERMISSION_DENIED', "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.", [
    KEY_ERROR_INFO('CONSUMER_INVALID'),
  ]);
}

/** A wrong key is a 400 INVALID_ARGUMENT on Google APIs (reason API_KEY_INVALID), not a 403. */
export function invalidKey(): GoogleHttpError {
  return new GoogleHttpError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
    KEY_ERROR_INFO('API_KEY_INVALID'),
    { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message: 'API key not valid. Please pass a valid API key.' },
  ]);
}

/** 429 with both a Retry-After header and the google.rpc.RetryInfo detail Gemini clients read. */
export function resourceExhausted(model: string, retryAfterSeconds: number): GoogleHttpError {
  return new GoogleHttpError(
    429,
    'RESOURCE_EXHAUSTED',
    'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.',
    [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [
          {
            quotaMetric: 'generativelanguage.googleapis.com/predict_long_running_requests',
            quotaId: 'PredictLongRunningRequestsPerMinutePerProjectPerModel',
            quotaDimensions: { location: 'global', model },
            quotaValue: '2',
          },
        ],
      },
      { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfterSeconds}s` },
    ],
    { 'retry-after': String(retryAfterSeconds) },
  );
}

export function serverError(httpStatus: 500 | 503): GoogleHttpError {
  return httpStatus === 503
    ? new GoogleHttpError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.')
    : new GoogleHttpError(500, 'INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting');
}
