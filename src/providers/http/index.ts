export { authorization, keyHeader, type AuthScheme } from './auth.js';
export { DeadlineError, startDeadline, type Deadline } from './deadline.js';
export { classifyHttpError, kindForStatus, networkError, parseMaybeJson, readErrorBody, redactUpstreamError, type ErrorReading, type ErrorSpec } from './errors.js';
export { MAX_MESSAGE_CHARS, plainText, redactSecrets, sanitizeMessage } from './redact.js';
export { openAiModelListSchema } from './model-list.js';
export { headerValue, parseRetryAfter, type HeaderBag } from './retry-after.js';
export {
  createTransport,
  DEFAULT_DOWNLOAD_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
  MAX_DOWNLOAD_REDIRECTS,
  type ApiAnswer,
  type ApiCall,
  type CallContext,
  type DownloadRequest,
  type Transport,
  type TransportOptions,
} from './transport.js';
