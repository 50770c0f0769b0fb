/**
 * Slow and half-sent requests: header and whole-request timeouts cut them off (slowloris), and a
 * SIGTERM stops accepting, answers requests in flight, and exits within the grace period however
 * many connections clients leave half-sent.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { spawnGateway } from '../helpers/gateway-process.js';

interface RawConn {
  socket: net.Socket;
  /** Everything the server sent. */
  received(): string;
  /** Resolves with ms since open when the server closes the connection. */
  closed: Promise<number>;
}

function open(url: string, first: string): Promise<RawConn> {
  const u = new URL(url);
  const opened = performance.now();
  const socket = net.connect(Number(u.port), u.hostname);
  let data = '';
  socket.on('data', (d) => (data += d));
  socket.on('error', () => {});
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now() - opened)));
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      socket.write(first);
      resolve({ socket, received: () => data, closed });
    });
    socket.once('error', reject);
  });
}

/** Keeps a connection busy the slowloris way: one more byte every `everyMs`, never finishing. */
function trickle(conn: RawConn, text: string, everyMs: number): () => void {
  let i = 0;
  const timer = setInterval(() => {
    if (conn.socket.destroyed) return clearInterval(timer);
    conn.socket.write(text[i++ % text.length]);
  }, everyMs);
  return () => clearInterval(timer);
}

describe('slow clients', { timeout: 120_000 }, () => {
  it('cuts off headers that never finish and bodies shorter than their Content-Length (slowloris)', async () => {
    const gw = await spawnGateway({ VIDGATE_SANDBOX: '0', VIDGATE_HEADERS_TIMEOUT_MS: '1000', VIDGATE_REQUEST_TIMEOUT_MS: '3000' });
    try {
      const headers = await open(gw.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n');
      const stopHeaders = trickle(headers, 'X-Slow: yes\r\n', 200);
      const body = await open(gw.url, `POST /v1/admin/keys HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${gw.adminKey}\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{"name":"`);
      const stopBody = trickle(body, 'a', 200);
      const [hMs, bMs] = await Promise.all([headers.closed, body.closed]);
      stopHeaders();
      stopBody();
      console.log(`slowloris: headers cut after ${hMs.toFixed(0)} ms (timeout 1000), body after ${bMs.toFixed(0)} ms (timeout 3000)`);
      assert.ok(hMs >= 900 && hMs < 4_000, `headers cut off after ${hMs} ms`);
      assert.ok(bMs >= 2_900 && bMs < 7_000, `body cut off after ${bMs} ms`);
      assert.match(headers.received(), /^HTTP\/1\.1 408|^$/, 'a 408 or a plain close');
      // The gateway is unharmed.
      assert.equal((await fetch(`${gw.url}/healthz`)).status, 200);
    } finally {
      await gw.dispose();
    }
  });

  it('on SIGTERM stops accepting, answers the request in flight, closes idle and half-sent connections and exits within the grace period', async () => {
    const GRACE = 3000;
    // Long request timeouts: only the shutdown may end these connections.
    const gw = await spawnGateway({ VIDGATE_SANDBOX: '0', VIDGATE_SHUTDOWN_GRACE_MS: String(GRACE), VIDGATE_HEADERS_TIMEOUT_MS: '60000', VIDGATE_REQUEST_TIMEOUT_MS: '120000', VIDGATE_IDLE_TIMEOUT_MS: '120000' });
    try {
      const halfHeaders = await Promise.all(Array.from({ length: 5 }, () => open(gw.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Partial: ')));
      const shortBodies = await Promise.all(
        Array.from({ length: 5 }, () => open(gw.url, `POST /v1/admin/keys HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${gw.adminKey}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"na`)),
      );
      const idle = await open(gw.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      // One request in flight: its body is completed after the signal, within the grace period.
      const inFlightBody = '{"name":"in flight"}';
      const inFlight = await open(
        gw.url,
        `POST /v1/admin/keys HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${gw.adminKey}\r\nContent-Type: application/json\r\nContent-Length: ${inFlightBody.length}\r\n\r\n${inFlightBody.slice(0, 5)}`,
      );
      await new Promise((r) => setTimeout(r, 300));
      assert.match(idle.received(), /^HTTP\/1\.1 200/);

      const signalled = performance.now();
      gw.proc.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      const refused = await new Promise<boolean>((resolve) => {
        const s = net.connect(Number(new URL(gw.url).port), '127.0.0.1');
        s.once('connect', () => {
          s.destroy();
          resolve(false);
        });
        s.once('error', () => resolve(true));
      });
      assert.ok(refused, 'no new connections once shutting down');
      inFlight.socket.write(inFlightBody.slice(5));
      const { code } = await gw.exited;
      const exitMs = performance.now() - signalled;
      console.log(`SIGTERM with 10 half-sent and 1 idle connection: exited ${code} after ${exitMs.toFixed(0)} ms (grace ${GRACE} ms)`);
      assert.equal(code, 0);
      assert.ok(exitMs < GRACE + 5_000, `exited after ${exitMs.toFixed(0)} ms`);
      await inFlight.closed;
      assert.match(inFlight.received(), /^HTTP\/1\.1 201/, `the request in flight was answered: ${inFlight.received().slice(0, 80)}`);
      for (const c of [...halfHeaders, ...shortBodies, idle]) await c.closed;
      assert.match(gw.stdout(), /shutting down/);
    } finally {
      await gw.dispose();
    }
  });
});
