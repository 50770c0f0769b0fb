/** OpenAI's error envelope: {"error":{"message","type","param","code"}} (spec providers-1 §1.9). */
export class OpenAIHttpError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly type: string,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toBody() {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const invalidRequest = (message: string, param: string | null = null, code: string | null = null) => new OpenAIHttpError(400, 'invalid_request_error', message, param, code);

/** OpenAI lists allowed values as 'a', 'b', and 'c'. */
export function quoteList(values: readonly string[]): string {
  const q = values.map((v) => `'${v}'`);
  return q.length < 2 ? q.join('') : `${q.slice(0, -1).join(', ')}${q.length > 2 ? ',' : ''} and ${q[q.length - 1]}`;
}

export const invalidValue = (param: string, value: string, allowed: readonly string[], scope = '') =>
  invalidRequest(`Invalid value: '${value}'. Supported values${scope} are: ${quoteList(allowed)}.`, param, 'invalid_value');

export const notFound = (message: string, param: string | null = null) => new OpenAIHttpError(404, 'invalid_request_error', message, param, null);

/** Azure's answer to a missing or wrong `api-key` (it names no key). */
export const azureAccessDenied = () =>
  new OpenAIHttpError(
    401,
    'invalid_request_error',
    'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
    null,
    '401',
  );

export function missingKey(): OpenAIHttpError {
  return new OpenAIHttpError(
    401,
    'invalid_request_error',
    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
  );
}

/** OpenAI echoes a masked form of the wrong key; we do the same (first 3 and last 4 characters). */
export function invalidKey(given: string): OpenAIHttpError {
  const masked = given.length > 10 ? `${given.slice(0, 3)}${'*'.repeat(8)}${given.slice(-4)}` : '********';
  return new OpenAIHttpError(401, 'invalid_request_error', `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`, null, 'invalid_api_key');
}

export function rateLimited(model: string, retryAfterSeconds: number): OpenAIHttpError {
  return new OpenAIHttpError(
    429,
    'requests',
    `Rate limit reached for ${model} in organization org-sandbox on requests per min (RPM): Limit 2, Used 2, Requested 1. Please try again in ${retryAfterSeconds}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
    null,
    'rate_limit_exceeded',
    {
      'retry-after': String(retryAfterSeconds),
      'retry-after-ms': String(retryAfterSeconds * 1000),
      'x-ratelimit-limit-requests': '2',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': `${retryAfterSeconds}s`,
    },
  );
}

export function serverError(httpStatus: 500 | 503): OpenAIHttpError {
  return httpStatus === 503
    ? new OpenAIHttpError(503, 'server_error', 'The server is overloaded or not ready yet.', null, null)
    : new OpenAIHttpError(500, 'server_error', 'The server had an error while processing your request. Sorry about that!', null, null);
}

/** Prompt moderation at create time (the code OpenAI uses for blocked generations). */
export function moderationBlocked(): OpenAIHttpError {
  return invalidRequest('Your request was blocked by our moderation system.', null, 'moderation_blocked');
}
