/** How a provider's credentials travel: the headers for its API origin and the values never to show. */
export interface AuthScheme {
  /** Headers for a call to the API origin (never sent to another host). */
  headers(): Record<string, string>;
  /** Every value that must never appear in a message. */
  secrets(): string[];
}

/** `Authorization: <scheme> <token>`: Bearer for most, `Token` for Vidu. */
export function authorization(token: string, scheme = 'Bearer'): AuthScheme {
  return { headers: () => ({ authorization: `${scheme} ${token}` }), secrets: () => [token] };
}

/** A key in a header of its own: `x-goog-api-key`, `x-api-key`. */
export function keyHeader(name: string, key: string): AuthScheme {
  return { headers: () => ({ [name]: key }), secrets: () => [key] };
}
