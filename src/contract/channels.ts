/**
 * Shapes the HTTP room and channels/ share without depending on each other: what
 * `GET /v1/admin/channels` shows of a channel, and an upstream callback as it arrives and is answered.
 */

/** The path under which upstream callbacks arrive: `{CALLBACK_PATH}/{channel}[/{token}]`. */
export const CALLBACK_PATH = '/v1/upstream-callbacks';

/** A callback as it arrived: headers lower-cased, the body as sent. */
export interface InboundCallback {
  headers: Record<string, string | undefined>;
  body: string;
}

export interface CallbackReply {
  status: number;
  body: unknown;
}

/** What the admin view shows of one channel (never a credential). */
export interface ChannelView {
  id: string;
  provider: string;
  protocol: string;
  /** Scheme, host and path only: a base URL's user info or query could carry a secret. */
  base_url: string | null;
  models: string[];
  /** Models this channel sends under an upstream id of its own. */
  upstream_models: Record<string, string>;
  state: 'closed' | 'open' | 'half_open';
  in_flight: number;
  submissions: number;
  failures: number;
  priority: number;
  weight: number;
  concurrency: number | null;
  rpm: number | null;
}
