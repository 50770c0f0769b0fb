import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with one request. */
export type ProxyAction =
  | { kind: 'forward' }
  /** Forward, let the gateway answer, then cut the client's connection: the answer is lost. */
  | { kind: 'lose-answer' }
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  /** Never answer. */
  | { kind: 'hang' };

export interface FaultProxy {
  url: string;
  /** Every request seen: method, path, headers; and the body of each one forwarded (what the target got). */
  seen: { method: string; url: string; headers: http.IncomingHttpHeaders; at: number; body?: Buffer }[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of a real server (the gateway, or a simulator the gateway calls)
 * that misbehaves on demand, to test what a client does when answers are lost, late or refused, or
 * just records what was sent. `decide` is asked once per request.
 */
export async function startFaultProxy(target: string, decide: (req: http.IncomingMessage, n: number) => ProxyAction): Promise<FaultProxy> {
  const seen: FaultProxy['seen'] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const entry: FaultProxy['seen'][number] = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, at: Date.now() };
    seen.push(entry);
    const action = decide(req, seen.length);
    if (action.kind === 'hang') {
      hanging.add(res);
      req.resume();
      return;
    }
    if (action.kind === 'status') {
      req.resume();
      res.writeHead(action.status, { 'content-type': 'application/json', ...action.headers });
      res.end(JSON.stringify(action.body ?? { error: { message: 'injected by the test proxy', type: 'server_error', code: 'injected' } }));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const sent = chunks.length ? Buffer.concat(chunks) : undefined;
      entry.body = sent;
      const headers = { ...req.headers } as Record<string, string>;
      delete headers.host;
      delete headers['content-length'];
      const upstream = await fetch(target + (req.url ?? '/'), { method: req.method, headers, body: sent });
      const body = Buffer.from(await upstream.arrayBuffer());
      if (action.kind === 'lose-answer') {
        req.socket.destroy();
        return;
      }
      const out: Record<string, string> = {};
      upstream.headers.forEach((v, k) => {
        if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection' && k !== 'keep-alive') out[k] = v;
      });
      res.writeHead(upstream.status, out);
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    async close() {
      for (const res of hanging) res.socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
