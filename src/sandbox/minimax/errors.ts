/** MiniMax answers errors as {base_resp:{status_code, status_msg}}, usually with HTTP 200 (§2.5). */
export class MinimaxError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly httpStatus = 200,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /** The create route adds an empty task_id, as the documented error example shows. */
  toBody(route?: string): Record<string, unknown> {
    const base_resp = { status_code: this.statusCode, status_msg: this.message };
    return route === 'create' ? { task_id: '', base_resp } : { base_resp };
  }
}

/**
 * status_msg for each code of MiniMax's official error-code table (platform.minimax.io/docs/api-reference/errorcode),
 * used when a fault names a code without a message of its own.
 */
export const OFFICIAL_MESSAGES: Readonly<Record<number, string>> = {
  1000: 'unknown error',
  1001: 'request timeout',
  1002: 'rate limit',
  1004: 'not authorized / token not match group / cookie is missing, log in again',
  1008: 'insufficient balance',
  1013: 'internal service error',
  1024: 'internal error',
  1026: 'input new_sensitive',
  1027: 'output new_sensitive',
  1033: 'system error / mysql failed',
  1039: 'token limit',
  1041: 'conn limit',
  1042: 'invisible character ratio limit',
  2013: 'invalid params',
  2045: 'rate growth limit',
  2049: 'invalid api key',
  2056: 'usage limit exceeded',
};

export const invalidParams = (detail: string) => new MinimaxError(2013, `invalid params, ${detail}`);
export const missingKey = () => new MinimaxError(1004, "login fail: Please carry the API secret key in the 'Authorization' field of the request header");
export const invalidKey = () => new MinimaxError(2049, 'invalid api key');
export const rateLimited = (http429: boolean, retryAfterSeconds: number) => new MinimaxError(1002, 'rate limit exceeded(RPM)', http429 ? 429 : 200, http429 ? { 'retry-after': String(retryAfterSeconds) } : {});
export const serverError = (status: 500 | 503) => new MinimaxError(status === 503 ? 1033 : 1000, status === 503 ? 'system error, please retry' : 'unknown error', status);
export const insufficientBalance = () => new MinimaxError(1008, 'insufficient balance');
export const inputSensitive = () => new MinimaxError(1026, 'input new_sensitive');
