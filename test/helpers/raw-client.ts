import net from 'node:net';

export interface RawResponse {
  status: number;
  /** Header lines as sent (name case and order kept). */
  lines: string[];
  headers: Record<string, string>;
  body: string;
}

/** A client connection that writes raw bytes and parses the responses as they arrive. */
export class RawClient {
  readonly socket: net.Socket;
  private buffered = Buffer.alloc(0);
  readonly responses: RawResponse[] = [];
  private waiters: (() => void)[] = [];
  readonly closed: Promise<void>;

  constructor(url: string) {
    const { hostname, port } = new URL(url);
    this.socket = net.connect(Number(port), hostname);
    this.socket.on('error', () => undefined);
    this.socket.on('data', (d: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, d]);
      this.parse();
    });
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** Resolves once `n` responses in all have arrived. */
  async responsesUpTo(n: number, timeoutMs = 10_000): Promise<RawResponse[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.responses.length < n) {
      if (Date.now() > deadline) throw new Error(`only ${this.responses.length} of ${n} responses arrived: ${this.buffered.toString()}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return this.responses.slice(0, n);
  }

  /** Everything received and not yet parsed as a response. */
  rest(): string {
    return this.buffered.toString();
  }

  private parse(): void {
    for (;;) {
      const end = this.buffered.indexOf('\r\n\r\n');
      if (end === -1) return;
      const [statusLine, ...lines] = this.buffered.subarray(0, end).toString('latin1').split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const length = Number(headers['content-length'] ?? 0);
      if (this.buffered.length < end + 4 + length) return;
      const body = this.buffered.subarray(end + 4, end + 4 + length).toString();
      this.buffered = this.buffered.subarray(end + 4 + length);
      this.responses.push({ status: Number(statusLine.split(' ')[1]), lines, headers, body });
      for (const w of this.waiters.splice(0)) w();
    }
  }
}
