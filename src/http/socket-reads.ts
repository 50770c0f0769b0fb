import http from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { type AskedHeaders, type FastReads, MISS, REFUSED, TASK_PATH_LENGTH, TASK_PATH_PREFIX } from './fast-reads.js';

/**
 * Task reads answered on the socket, before Node's HTTP server parses anything.
 *
 * Node's HTTP layer costs a task read about a quarter of its time in the gateway's busy isolate
 * (bench/README.md, "third session": its internals run there with megamorphic property loads).
 * A connection that opens with a plain `GET /v1/tasks/{id}` whose answer is in memory (FastReads)
 * is answered here, request after request; a plain read whose answer is not in memory (expired, or
 * never read on this node) gets the full path's lookup first and is then answered here, so a
 * poller's connection stays here. The first request this path does not answer — another route,
 * anything unusual in the head, a refusal (another key's task, over the limit, a bad key), a head
 * split across packets — hands the connection, with every byte not yet answered, to Node's server
 * for good; it answers exactly as it would have. Only heads of a strict, plain shape are read here,
 * so anything Node's parser would refuse (or read differently) reaches Node's parser.
 *
 * Connections this path holds follow Node's rules: a silent new one gets the 408 after the header
 * timeout (or closes at the idle timeout when that is shorter), an idle one closes after the
 * keep-alive timeout, a client's FIN closes it, a lookup that hangs ends at the idle timeout, and
 * the server's closeIdleConnections / closeAllConnections (shutdown) reach them too.
 */
export interface SocketReadOptions {
  /** The full path's lookup for a plain read not in memory (refreshTaskRead): true when memory now holds it. */
  refresh: (id: string, authorization: string | undefined) => Promise<boolean>;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** The server's socket timeout (`server.timeout`): what a request may wait, and a silent connection too. */
  idleTimeoutMs: number;
  /** Writes the 408 envelope a silent new connection gets from Node's server, then closes. */
  headersTimedOut: (socket: Socket) => void;
  log: Logger;
}

/** Node waits this long past `keepAliveTimeout` before closing an idle connection; so does this path. */
const KEEP_ALIVE_GRACE_MS = 1000;
/** Past this much unsent output, stop reading a pipelining client until it drains. */
const MAX_PENDING_OUTPUT = 64 * 1024;

export function answerTaskReadsOnSockets(server: http.Server, fast: FastReads, o: SocketReadOptions): void {
  const listeners = server.listeners('connection');
  if (listeners.length !== 1) throw new Error(`expected Node's one connection listener on the HTTP server, found ${listeners.length}`);
  const toNode = listeners[0] as (socket: Socket) => void;
  server.removeAllListeners('connection');
  /** Connections this path holds, idle between requests (it answers synchronously). */
  const idle = new Set<Socket>();
  /** …and those waiting on a lookup: a request in flight. */
  const busy = new Set<Socket>();
  // Node's shutdown (server.close calls closeIdleConnections) and its forced close reach these too.
  const closeIdle = server.closeIdleConnections.bind(server);
  const closeAll = server.closeAllConnections.bind(server);
  server.closeIdleConnections = () => {
    // An answer still being written (a pipelining client that reads slowly) is finished first.
    for (const socket of idle) {
      if (socket.writableLength === 0) {
        socket.destroy();
        idle.delete(socket);
      } else socket.end();
    }
    closeIdle();
  };
  server.closeAllConnections = () => {
    for (const socket of [...idle, ...busy]) socket.destroy();
    idle.clear();
    busy.clear();
    closeAll();
  };
  // Written as Node's server writes them.
  const keepAlive = `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(o.keepAliveTimeoutMs / 1000)}\r\n`;
  const keepAliveMs = o.keepAliveTimeoutMs + KEEP_ALIVE_GRACE_MS;
  /** Date, Connection and Keep-Alive as header lines, made once a second (not per answer). */
  let linesSecond = -1;
  let lines = '';
  const closingLines = () => {
    const second = Math.floor(Date.now() / 1000);
    if (second !== linesSecond) {
      linesSecond = second;
      lines = `Date: ${new Date(second * 1000).toUTCString()}\r\n${keepAlive}`;
    }
    return lines;
  };
  const silentMs = Math.min(o.headersTimeoutMs, o.idleTimeoutMs);

  /**
   * Connections handed over between requests, still on the keep-alive timer their last answer
   * started: Node clears that timer when a whole request head arrives (its resetSocketTimeout), and
   * so does this, for connections Node did not start the timer on.
   */
  const keptAlive = new WeakSet<Socket>();
  server.prependListener('request', (req: http.IncomingMessage) => {
    if (keptAlive.delete(req.socket as Socket)) req.socket.setTimeout(server.timeout || 0);
  });

  server.on('connection', (socket: Socket) => {
    let answered = 0;
    let lastAnswerAt = 0;
    let refreshing = false;
    /** Until handed to Node's server. */
    let held = true;
    idle.add(socket);
    const forget = () => {
      idle.delete(socket);
      busy.delete(socket);
    };
    const handOff = (unread: Buffer | null) => {
      held = false;
      forget();
      socket.removeListener('data', onData);
      socket.removeListener('end', onEnd);
      socket.removeListener('timeout', onTimeout);
      socket.removeListener('close', forget);
      socket.removeListener('error', onError);
      socket.setTimeout(0);
      socket.pause();
      if (unread !== null && unread.length > 0) socket.unshift(unread);
      toNode.call(server, socket);
      // After answers the connection is kept alive, not new: its keep-alive timer runs on (a head
      // that stalls is closed quietly when it ends, as on Node's path), not a fresh idle timeout.
      if (answered > 0) {
        socket.setTimeout(Math.max(1, keepAliveMs - (Date.now() - lastAnswerAt)));
        keptAlive.add(socket);
      }
      socket.resume();
    };
    /** Answers the requests in `chunk` while it can; `refreshedAt`: the first one's lookup began then (it is not looked up twice). */
    const consume = (chunk: Buffer, refreshedAt: number | null): void => {
      // Not a GET (a create and its upload, say): Node's, without copying the bytes into a string.
      if (chunk[0] !== 0x47) return void handOff(chunk);
      const text = chunk.toString('latin1');
      let from = 0;
      while (from < text.length) {
        const head = plainTaskRead(text, from);
        if (head === null) break;
        const first = from === 0 && refreshedAt !== null;
        const started = first ? refreshedAt : performance.now();
        const out = fast.serveRaw(head.path, head.asked, closingLines(), started, first);
        if (out === REFUSED || (out === MISS && first)) break;
        if (out === MISS) return void lookUp(chunk.subarray(from), head, started);
        socket.write(out);
        answered++;
        lastAnswerAt = Date.now();
        from = head.end;
      }
      if (from < text.length) return void handOff(from === 0 ? chunk : chunk.subarray(from));
      if (fast.closing) {
        // Shutting down: the request in flight is answered; the connection closes as an idle one.
        socket.end();
        return;
      }
      if (socket.timeout !== keepAliveMs) socket.setTimeout(keepAliveMs);
      if (socket.writableLength > MAX_PENDING_OUTPUT) {
        // A client pipelining reads it does not collect: read no more until it drains.
        socket.pause();
        socket.once('drain', () => {
          if (held && !refreshing) socket.resume();
        });
      }
    };
    /** The full path's lookup for the read at the start of `unread`; the socket reads nothing meanwhile. */
    const lookUp = (unread: Buffer, head: PlainTaskRead, started: number) => {
      refreshing = true;
      idle.delete(socket);
      busy.add(socket);
      socket.pause();
      // A request in flight may wait the server's idle timeout, as on Node's path.
      socket.setTimeout(o.idleTimeoutMs);
      o.refresh(head.path.slice(TASK_PATH_PREFIX.length), head.asked.authorization)
        .catch(() => false)
        .then((filled) => {
          refreshing = false;
          if (socket.destroyed) return;
          busy.delete(socket);
          if (!filled) return handOff(unread);
          idle.add(socket);
          consume(unread, started);
          if (held && !socket.writableEnded && socket.writableLength <= MAX_PENDING_OUTPUT) socket.resume();
        })
        .catch((err: unknown) => {
          o.log.error({ err }, 'task read on a socket failed');
          socket.destroy();
        });
    };
    const onData = (chunk: Buffer) => consume(chunk, null);
    // The client is done sending (its FIN; 'end' waits while a lookup holds the socket paused).
    const onEnd = () => {
      forget();
      socket.end();
    };
    const onTimeout = () => {
      forget();
      // Silent since it opened, past the header timeout: the 408 Node's header timer sends.
      // Otherwise (idle, or a lookup past the idle timeout) closed quietly, as Node does.
      if (answered === 0 && !refreshing && o.headersTimeoutMs <= o.idleTimeoutMs) o.headersTimedOut(socket);
      else socket.destroy();
    };
    // A reset or a broken pipe while this path holds the connection: nothing to answer.
    const onError = () => socket.destroy();
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('timeout', onTimeout);
    socket.on('close', forget);
    socket.on('error', onError);
    socket.setTimeout(silentMs);
  });
}

/** A header line of the plain shape: a token name, a colon, visible ASCII, spaces and tabs. */
const HEADER_LINE = /([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([\x21-\x7e](?:[\x20-\x7e\t]*[\x21-\x7e])?)?[ \t]*\r\n/y;
/** More header lines than a poller sends: Node's parser takes the request (it keeps its own count). */
const MAX_HEADER_LINES = 32;
/** Node's limit on a request head (`--max-http-header-size`); a longer head is Node's to refuse. */
const MAX_HEAD_BYTES = http.maxHeaderSize;

/** The headers a read looks at, each allowed once (a repeat is Node's to merge or refuse). */
const ASKED = new Map<string, keyof AskedHeaders>([
  ['authorization', 'authorization'],
  ['x-request-id', 'requestId'],
  ['if-none-match', 'ifNoneMatch'],
]);

export interface PlainTaskRead {
  path: string;
  asked: AskedHeaders;
  /** Where the next request starts. */
  end: number;
}

/**
 * The request head at `from` when it is a complete, plain `GET /v1/tasks/{id} HTTP/1.1` with no
 * body, a Host, and each of the headers a read looks at at most once; null for anything else (left
 * to Node's parser, which answers it as always). `text` is the bytes as latin1 (one char per byte).
 */
export function plainTaskRead(text: string, from: number): PlainTaskRead | null {
  const pathStart = from + 4;
  const pathEnd = pathStart + TASK_PATH_LENGTH;
  if (!text.startsWith('GET ', from) || !text.startsWith(TASK_PATH_PREFIX, pathStart) || !text.startsWith(' HTTP/1.1\r\n', pathEnd)) return null;
  const headEnd = text.indexOf('\r\n\r\n', pathEnd);
  if (headEnd === -1 || headEnd - from > MAX_HEAD_BYTES) return null;
  const path = text.slice(pathStart, pathEnd);
  const asked: AskedHeaders = {};
  let host = false;
  let lines = 0;
  let pos = pathEnd + ' HTTP/1.1\r\n'.length;
  while (pos < headEnd + 2) {
    if (++lines > MAX_HEADER_LINES) return null;
    HEADER_LINE.lastIndex = pos;
    const m = HEADER_LINE.exec(text);
    if (m === null) return null;
    pos = HEADER_LINE.lastIndex;
    const name = m[1].toLowerCase();
    const value = m[2] ?? '';
    const slot = ASKED.get(name);
    if (slot !== undefined) {
      if (asked[slot] !== undefined) return null;
      asked[slot] = value;
      continue;
    }
    switch (name) {
      case 'host':
        if (host) return null;
        host = true;
        break;
      case 'connection':
        // Only the keep-alive a pooled client states; `close`, upgrades and the rest are Node's.
        if (value.toLowerCase() !== 'keep-alive') return null;
        break;
      // Node's parser reads it as Connection (a `close` there ends the connection).
      case 'proxy-connection':
      case 'content-length':
      case 'transfer-encoding':
      case 'upgrade':
      case 'expect':
        return null;
    }
  }
  if (!host || pos !== headEnd + 2) return null;
  return { path, asked, end: headEnd + 4 };
}
