import type { FastifyRequest } from 'fastify';

/** Query parameters whose values are grants or secrets: a signed link's signature, keys sent by mistake. */
const SECRET_PARAMS = /^(signature|sig|key|api[_-]?key|access[_-]?token|token|secret|password|auth|authorization|x-amz-signature|x-amz-credential|x-amz-security-token)$/i;
/** Values that are secrets whatever their parameter is called (our API keys, webhook secrets). */
const SECRET_VALUES = /^(sk-|whsec_|Bearer\s)/i;

/** The URL as logs may show it: the path, and each query parameter with secret values replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const parts = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const name = pair.slice(0, eq);
      let value = pair.slice(eq + 1);
      let decodedName = name;
      try {
        value = decodeURIComponent(value.replace(/\+/g, ' '));
        decodedName = decodeURIComponent(name);
      } catch {
        /* malformed encoding: judged as sent */
      }
      return SECRET_PARAMS.test(decodedName) || SECRET_VALUES.test(value) ? `${name}=[redacted]` : pair;
    });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}

/** Fastify's request log fields, with the URL redacted. */
export function requestLogFields(req: FastifyRequest): Record<string, unknown> {
  return { method: req.method, url: redactUrl(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort };
}
