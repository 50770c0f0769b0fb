import net from 'node:net';

/**
 * A loopback TCP proxy to a real service (PostgreSQL, Redis), so a test can take the service away
 * from one gateway — refusing new connections and cutting open ones — and bring it back, without
 * touching the service everyone else on the machine uses.
 */
export class TcpProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  private frozen = false;

  async start(port = 0): Promise<number> {
    this.frozen = false;
    this.server = net.createServer((client) => {
      if (this.frozen) {
        // A silent network: the connection is taken and never answered.
        this.sockets.add(client);
        client.on('close', () => this.sockets.delete(client));
        client.on('error', () => undefined);
        return;
      }
      const upstream = net.connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port || this.port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  /**
   * The network goes silent: open connections stay open but nothing more crosses them, and new ones
   * are accepted and never answered — no refusal, no reset (stop() ends it).
   */
  freeze(): void {
    this.frozen = true;
    for (const s of this.sockets) {
      s.unpipe();
      s.pause();
    }
  }

  /**
   * The connections open now go silent — nothing more crosses them, no reset, as after a NAT or
   * load balancer silently dropped them — while new connections are served as usual.
   */
  silenceOpen(): void {
    for (const s of this.sockets) {
      s.unpipe();
      s.pause();
    }
  }

  /** The service "goes down": open connections are cut and new ones refused. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}

/** A started proxy to the host and port of a service's URL (e.g. PostgreSQL's). */
export async function proxyTo(url: string): Promise<TcpProxy> {
  const target = new URL(url);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  await proxy.start();
  return proxy;
}
