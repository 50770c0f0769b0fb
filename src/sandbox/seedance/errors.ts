import { randomBytes } from 'node:crypto';

/** Ark appends a request id to every error message. */
export function requestId(): string {
  return `0217${Date.now()}${randomBytes(8).toString('hex')}`;
}

/** An HTTP error answered with Ark's envelope: {"error":{"code","message","param","type"}}. */
export class ArkHttpError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string,
    readonly type: string,
    readonly param?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toBody() {
    return {
      error: {
        code: this.code,
        message: `${this.message} Request id: ${requestId()}`,
        ...(this.param ? { param: this.param } : {}),
        type: this.type,
      },
    };
  }
}

/** 400 InvalidParameter (the code names the parameter, as Ark's `InvalidParameter.{p}` codes do). */
export const invalidParameter = (param: string, message: string) => new ArkHttpError(400, 'InvalidParameter', `The parameter \`${param}\` specified in the request is not valid: ${message}`, 'BadRequest', param);

export const missingParameter = (param: string) =>
  new ArkHttpError(400, 'MissingParameter', `The request failed because it is missing one or multiple required parameters. Please provide \`${param}\`.`, 'BadRequest', param);

export const authenticationError = () => new ArkHttpError(401, 'AuthenticationError', 'The API key or AK/SK in the request is missing or invalid.', 'Unauthorized');

export const modelNotFound = (model: string) => new ArkHttpError(404, 'InvalidEndpointOrModel.NotFound', `The model or endpoint ${model} does not exist or you do not have access to it.`, 'NotFound', 'model');

export const taskNotFound = (id: string) => new ArkHttpError(404, 'ResourceNotFound', `The specified task ${id} is not found.`, 'NotFound', 'id');

export const notFound = () => new ArkHttpError(404, 'NotFound', 'The requested API is not found.', 'NotFound');

export const inputTextSensitive = () => new ArkHttpError(400, 'InputTextSensitiveContentDetected', 'The request failed because the input text may contain sensitive information.', 'BadRequest', 'content');

/** The moderation service itself failed (not a verdict on the content): the same request may pass later. */
export const moderationServiceError = () =>
  new ArkHttpError(400, 'ContentSecurityDetectionError', 'The request failed because the content security detection service encountered an error. Please try again later.', 'BadRequest');

export const taskRunning = (id: string) => new ArkHttpError(409, 'InvalidAction.TaskRunning', `The task ${id} is running and cannot be cancelled; only queued tasks can be cancelled.`, 'Conflict', 'id');

export function rateLimited(retryAfterSeconds: number): ArkHttpError {
  return new ArkHttpError(429, 'RateLimitExceeded.EndpointRPMExceeded', 'The request has exceeded the RPM rate limit of the model or endpoint. Please try again later.', 'TooManyRequests', undefined, {
    'retry-after': String(retryAfterSeconds),
  });
}

export function serverError(httpStatus: 500 | 503): ArkHttpError {
  return httpStatus === 503
    ? new ArkHttpError(503, 'ServerOverloaded', 'The service is currently overloaded. Please try again later.', 'ServiceUnavailable')
    : new ArkHttpError(500, 'InternalServiceError', 'The service encountered an unexpected internal error.', 'InternalServerError');
}
