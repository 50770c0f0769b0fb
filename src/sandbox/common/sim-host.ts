/**
 * The HTTP side every simulator shares: a route table (method + path → handler), then for API
 * routes the injected latency, the API-key check and the injected request fault, in that order;
 * request counting; ports kept in the work dir; close(). A simulator brings only its protocol:
 * its routes, its auth scheme, its fault shapes and its error envelope.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeServer, createSimServer, serveSignedFile, sleep, type SimHttpError, type UrlSigner } from '../http-util.js';
import { listenPersisted } from './state.js';

export interface SimCall {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The path as matched (after the protocol's normalisation). */
  path: string;
  /** The capture groups of the route's pattern. */
  params: string[];
}

export interface SimRoute<R extends string> {
  method: string | readonly string[];
  path: string | RegExp;
  /** What a queued fault can target. */
  name: R;
  /**
   * 'api' (default): latency, API key, then an injected fault, before the handler.
   * 'own-faults': latency and API key; the handler takes its fault itself (it needs the body first).
   * 'open': none of these (signed links and uploads: the handler does what that host does).
   */
  kind?: 'api' | 'own-faults' | 'open';
  handle(call: SimCall): Promise<void> | void;
}

export interface SimProtocol<R extends string> {
  routes: ReadonlyArray<SimRoute<R>>;
  /** Throws the provider's answer to a missing or wrong credential. */
  authenticate(req: IncomingMessage, url: URL): void;
  /** The injected fault this call gets (taken from the queue), in the provider's envelope. */
  takeFault(route: R, call: SimCall): Error | undefined;
  /** The error for a request no route serves; `allowed` holds the methods the path does have. */
  noRoute(method: string, path: string, allowed: string[]): Error;
  /** Normalises the path before matching (decoding, trailing slashes); may throw the provider's 404. */
  path?(url: URL): string;
  /** Runs first on every request (e.g. a request-id header). */
  onRequest?(req: IncomingMessage, res: ServerResponse): void;
  /** Decorates an error thrown while serving `route` (MiniMax's create errors carry an empty task_id). */
  routeError?(err: unknown, route: R): unknown;
}

/** The counters every simulator's stats have. */
export interface SimCounters {
  /** Every HTTP request, including rejected and faulted ones. */
  requests: number;
  /** Requests answered with an injected fault. */
  faulted: number;
}

function matches(pattern: string | RegExp, path: string): string[] | undefined {
  if (typeof pattern === 'string') return pattern === path ? [] : undefined;
  return pattern.exec(path)?.slice(1);
}

/**
 * The route of files behind signed links (what the provider's storage or CDN is): no API key, no
 * latency; a bad or expired signature gets that host's own refusal. `onServe` runs once the link
 * checks out (to count the download, or throw an injected download fault).
 */
export function signedFileRoute<R extends string>(route: {
  path: RegExp;
  name: R;
  signer: UrlSigner;
  /** The file on disk and its type, from the path's capture groups (undefined: no such file). */
  file(params: string[]): { path: string | undefined; contentType: string };
  refuse(res: ServerResponse, why: 'expired' | 'bad'): void;
  onServe?(params: string[]): void;
}): SimRoute<R> {
  return {
    method: ['GET', 'HEAD'],
    path: route.path,
    name: route.name,
    kind: 'open',
    handle: ({ req, res, url, params }) => {
      const { path, contentType } = route.file(params);
      return serveSignedFile(
        req,
        res,
        { url, signer: route.signer, file: path, contentType },
        (why) => route.refuse(res, why),
        () => route.onServe?.(params),
      );
    },
  };
}

export class SimHost {
  private readonly closing = new AbortController();
  private readonly servers: Server[] = [];

  constructor(
    private readonly opts: { workDir: string; host?: string },
    private readonly stats: SimCounters,
    private readonly faults: { latencyMs: number },
  ) {}

  /** Waits the injected latency (cut short by close()). */
  delay(): Promise<void> {
    return sleep(this.faults.latencyMs, this.closing.signal);
  }

  /** Throws `fault`, counting it, when there is one. */
  inject(fault: Error | undefined): void {
    if (!fault) return;
    this.stats.faulted++;
    throw fault;
  }

  /** The request handler that serves `protocol`'s routes. */
  router<R extends string>(protocol: SimProtocol<R>): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
    return async (req, res) => {
      this.stats.requests++;
      protocol.onRequest?.(req, res);
      const url = new URL(req.url ?? '/', 'http://sim.invalid');
      const path = protocol.path ? protocol.path(url) : url.pathname;
      const method = req.method ?? 'GET';
      const allowed: string[] = [];
      for (const route of protocol.routes) {
        const params = matches(route.path, path);
        if (!params) continue;
        const methods = typeof route.method === 'string' ? [route.method] : route.method;
        if (!methods.includes(method)) {
          allowed.push(...methods);
          continue;
        }
        const call: SimCall = { req, res, url, path, params };
        try {
          if (route.kind !== 'open') {
            await this.delay();
            protocol.authenticate(req, url);
            if (route.kind !== 'own-faults') this.inject(protocol.takeFault(route.name, call));
          }
          await route.handle(call);
        } catch (err) {
          throw protocol.routeError ? protocol.routeError(err, route.name) : err;
        }
        return;
      }
      throw protocol.noRoute(method, path, allowed);
    };
  }

  /** Serves `handle` on the port this server (`name`) had before, answering what it throws with `toError`. */
  async listen(name: string, handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>, toError: (err: unknown) => SimHttpError, port?: number): Promise<string> {
    const server = createSimServer(handle, toError);
    try {
      const url = await listenPersisted(server, this.opts.workDir, name, this.opts.host ?? '127.0.0.1', port);
      this.servers.push(server);
      return url;
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** Stops the servers and whatever else the simulator runs (its jobs' renders), and waits for them. */
  async close(...others: Array<{ close(): Promise<void> }>): Promise<void> {
    this.closing.abort();
    await Promise.all([...this.servers.map(closeServer), ...others.map((o) => o.close())]);
  }
}
