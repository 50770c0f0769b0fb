import { createHash } from 'node:crypto';
import type { VideoRequest } from '../contract/video-request.js';

/**
 * What tells a retry (same Idempotency-Key, same request: replay) from a reused key (another request:
 * 409). The fingerprint is of the request as the gateway understood it, not of the bytes sent: after
 * parsing, aliases are folded (`seconds` is `duration`), nulls are gone ("not sent") and key order does
 * not count, so every spelling of one request is one fingerprint, through either front door (the
 * OpenAI-compatible route maps its body first, then both parse the same way).
 *
 * It is computed only from a request that parsed: every value has been type-checked (strings,
 * numbers, booleans, arrays of strings, kling_elements objects), so its depth is bounded and the
 * recursion below cannot overflow however deep a body was sent (such a body is a 400 before this).
 */

/** Prefix of a fingerprint, telling it apart from the bare-hex raw-body hashes stored before it. */
const FINGERPRINT_PREFIX = 'req1:';

/** Same JSON value ⇔ same text: object keys sorted (recursively), arrays in their order. */
function canonicalSha256(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('hex');
}

/**
 * The request's fingerprint: its model, its operation (named, or inferred from the inputs, which is
 * deterministic) and every field sent. Not what the parser records about how it was sent (`sent`,
 * in wire order; `operation_explicit`), nor anything the gateway derives later that could differ
 * between two identical requests (task id, times, the model's defaults, the upstream model).
 */
export function requestFingerprint(req: VideoRequest): string {
  const request = Object.fromEntries(Object.entries(req).filter(([k]) => k !== 'sent' && k !== 'operation_explicit'));
  return FINGERPRINT_PREFIX + canonicalSha256(request);
}

/**
 * Whether a create (its `fingerprint`, and its body for older records) repeats the one an
 * idempotency record was stored for.
 *
 * `asSent`: the request before the create renamed an inline input's type to its registered name
 * (`data:image/jpg;…` → `data:image/jpeg;…`, tasks/create.ts), given only where that changed
 * something. `fingerprint` is of the renamed request, so image/jpg and image/jpeg are one request;
 * a record stored by a release that did not rename holds the fingerprint of the request as sent, and
 * a retry of the same bytes still matches it through `asSent` (hashed only when the first comparison
 * fails).
 *
 * Upgrade: records stored before fingerprints hold a bare sha256 of the canonical body as sent to
 * the task service (the raw body on the TokenLab route, the mapped body on the OpenAI route). Such a
 * record still replays a retry whose body hashes the same way, exactly as before the upgrade, so a
 * genuine retry that spans the upgrade is never a 409; only a variant spelling of it (an alias, an
 * added null) is, as it was before. These records age out with the 24-hour window, after which this
 * branch is unused. A node of the previous release does not know the new format: in a rolling
 * upgrade, a retry of a create stored by an upgraded node that lands on a not-yet-upgraded node is a
 * 409 (and so is one of a create with an inline image/jpg or image/pjpeg stored by a node that
 * renames those types, landing on one that does not), so upgrade the API nodes together.
 */
export function repeatsStoredRequest(storedHash: string, fingerprint: string, body: unknown, asSent?: VideoRequest): boolean {
  if (storedHash.startsWith(FINGERPRINT_PREFIX)) return storedHash === fingerprint || (asSent !== undefined && storedHash === requestFingerprint(asSent));
  return storedHash === canonicalSha256(body);
}
