/** Vertex AI's and Google OAuth's error answers (Vertex speaks google.rpc.Status, as the Gemini API does). */
import { GoogleHttpError } from '../google/errors.js';

const ERROR_INFO = (reason: string, method: string) => ({
  '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
  reason,
  domain: 'googleapis.com',
  metadata: { service: 'aiplatform.googleapis.com', method },
});

/** 401 for a missing, unknown or expired bearer token (Google's wording and ErrorInfo reasons). */
export function unauthenticated(why: 'missing' | 'invalid' | 'expired', method = 'google.cloud.aiplatform.v1.PredictionService.PredictLongRunning'): GoogleHttpError {
  if (why === 'missing') {
    return new GoogleHttpError(
      401,
      'UNAUTHENTICATED',
      'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
      [ERROR_INFO('CREDENTIALS_MISSING', method)],
      { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' },
    );
  }
  return new GoogleHttpError(
    401,
    'UNAUTHENTICATED',
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    [ERROR_INFO(why === 'expired' ? 'ACCESS_TOKEN_EXPIRED' : 'ACCESS_TOKEN_TYPE_UNSUPPORTED', method)],
    { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
  );
}

/** A project the service account has no role on (or that does not exist). */
export function permissionDenied(resource: string): GoogleHttpError {
  return new GoogleHttpError(403, 'PERMISSION_DENIED', `Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/${resource}' (or it may not exist).`, [
    { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'IAM_PERMISSION_DENIED', domain: 'aiplatform.googleapis.com', metadata: { permission: 'aiplatform.endpoints.predict', resource } },
  ]);
}

export function publisherModelNotFound(resource: string): GoogleHttpError {
  return new GoogleHttpError(
    404,
    'NOT_FOUND',
    `Publisher Model \`${resource}\` was not found or your project does not have access to it. Please ensure you are using a valid model version. For more information, see: https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions`,
  );
}

export function quotaExceeded(model: string, retryAfterSeconds: number): GoogleHttpError {
  return new GoogleHttpError(
    429,
    'RESOURCE_EXHAUSTED',
    `Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model with base model: ${model}. Please submit a quota increase request. https://cloud.google.com/vertex-ai/docs/generative-ai/quotas-genai.`,
    undefined,
    { 'retry-after': String(retryAfterSeconds) },
  );
}

/** Cloud Storage's own 404 for an object that does not exist. */
export function noSuchObject(bucket: string, object: string): GoogleHttpError {
  return new GoogleHttpError(404, 'NOT_FOUND', `No such object: ${bucket}/${object}`);
}

/** Google's OAuth2 token endpoint answers RFC 6749 errors, not google.rpc.Status. */
export class OAuthError extends Error {
  readonly headers: Record<string, string> = { 'cache-control': 'no-store' };
  constructor(
    readonly httpStatus: 400 | 401,
    readonly error: 'invalid_grant' | 'unsupported_grant_type' | 'invalid_scope' | 'invalid_request',
    readonly description: string,
  ) {
    super(description);
  }
  toBody() {
    return { error: this.error, error_description: this.description };
  }
}
