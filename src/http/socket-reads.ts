import http from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { type AskedHeaders, type FastReads, MISS, REFUSED, TASK_PATH_LENGTH, TASK_PATH_PREFIX } from './fast-reads.js';
import { CREATE_ROUTE, type CreateHeaders, type SocketAnswer } from './socket-creates.js';

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
  /** Creates read whole off the socket (socket-creates.ts), with bodies up to `maxBodyBytes`; absent: Node's. */
  creates?: { answer: (asked: CreateHeaders, body: string, started: number) => Promise<SocketAnswer>; maxBodyBytes: number };
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
    let working = false;
    /** The client's FIN has arrived: nothing more will. */
    let clientDone = false;
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
      // Neither a GET nor a create (an upload, say): Node's, without copying the bytes into a string.
      if (chunk[0] !== 0x47 && !(chunk[0] === 0x50 && o.creates)) return void handOff(chunk);
      const text = chunk.toString('latin1');
      let from = 0;
      while (from < text.length) {
        if (o.creates && text.charCodeAt(from) === 0x50) {
          const head = fast.closing ? null : plainCreate(text, from, o.creates.maxBodyBytes);
          // Not whole yet (the body follows in another packet) or not plain: Node's from here.
          if (head === null || head.end > chunk.length) break;
          return void create(chunk, head);
        }
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
      idleAfterAnswers();
    };
    /** Every request received so far is answered: wait for the next as Node's server does. */
    const idleAfterAnswers = () => {
      if (fast.closing || clientDone) {
        // Shutting down, or the client has sent its last byte: what it asked is answered; the
        // connection closes as an idle one.
        forget();
        socket.end();
        return;
      }
      if (socket.timeout !== keepAliveMs) socket.setTimeout(keepAliveMs);
      if (socket.writableLength > MAX_PENDING_OUTPUT) {
        // A client pipelining reads it does not collect: read no more until it drains.
        socket.pause();
        socket.once('drain', () => {
          if (held && !working) socket.resume();
        });
      }
    };
    /**
     * Holds the socket (reading nothing, on the idle timeout) while `work` runs for the request at
     * its head, then goes on with `next` (which may answer, hand over, or hold it again).
     */
    const whileBusy = <T>(work: Promise<T>, next: (result: T) => void) => {
      working = true;
      idle.delete(socket);
      busy.add(socket);
      socket.pause();
      // A request in flight may wait the server's idle timeout, as on Node's path.
      socket.setTimeout(o.idleTimeoutMs);
      work
        .then((result) => {
          working = false;
          if (socket.destroyed) return;
          busy.delete(socket);
          idle.add(socket);
          next(result);
          if (held && !working && !socket.writableEnded && socket.writableLength <= MAX_PENDING_OUTPUT) socket.resume();
        })
        .catch((err: unknown) => {
          o.log.error({ err }, 'request on a socket failed');
          socket.destroy();
        });
    };
    /** The create whose whole request starts `chunk`; then whatever the client sent after it. */
    const create = (chunk: Buffer, head: PlainCreate) => {
      const body = chunk.toString('utf8', head.bodyStart, head.end);
      whileBusy(o.creates!.answer(head.asked, body, performance.now()), (out) => {
        socket.write(`${out.head}${closingLines()}\r\n${out.body}`);
        answered++;
        lastAnswerAt = Date.now();
        if (head.end < chunk.length) consume(chunk.subarray(head.end), null);
        else idleAfterAnswers();
      });
    };
    /** The full path's lookup for the read at the start of `unread`; the socket reads nothing meanwhile. */
    const lookUp = (unread: Buffer, head: PlainTaskRead, started: number) => {
      const filled = o.refresh(head.path.slice(TASK_PATH_PREFIX.length), head.asked.authorization).catch(() => false);
      whileBusy(filled, (ok) => (ok ? consume(unread, started) : handOff(unread)));
    };
    const onData = (chunk: Buffer) => consume(chunk, null);
    // The client is done sending (its FIN).
    const onEnd = () => {
      clientDone = true;
      // A request in flight is answered first (as Node's server does), then the connection closes.
      if (working) return;
      forget();
      socket.end();
    };
    const onTimeout = () => {
      forget();
      // Silent since it opened, past the header timeout: the 408 Node's header timer sends.
      // Otherwise (idle, or a lookup past the idle timeout) closed quietly, as Node does.
      if (answered === 0 && !working && o.headersTimeoutMs <= o.idleTimeoutMs) o.headersTimedOut(socket);
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

/** …and those a create looks at. */
const CREATE_ASKED = new Map<string, keyof CreateHeaders>([
  ['authorization', 'authorization'],
  ['x-request-id', 'requestId'],
  ['idempotency-key', 'idempotencyKey'],
  ['content-type', 'contentType'],
  ['content-length', 'contentLength'],
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
  const head = plainHeaders(text, from, pathEnd + ' HTTP/1.1\r\n'.length, ASKED);
  return head && { path: text.slice(pathStart, pathEnd), asked: head.asked, end: head.end };
}

export interface PlainCreate {
  asked: CreateHeaders;
  /** Where its body starts, and where it (and so the request) ends: the next one starts there. */
  bodyStart: number;
  end: number;
}

const CREATE_LINE = `POST ${CREATE_ROUTE} HTTP/1.1\r\n`;
/** The JSON types the framework's parser reads as plain `application/json` (others are Node's). */
const PLAIN_JSON = new Set(['application/json', 'application/json; charset=utf-8', 'application/json;charset=utf-8']);

/**
 * The request head at `from` when it is a plain `POST /v1/videos/generations HTTP/1.1` with a Host,
 * a JSON Content-Type and a Content-Length of 1 to `maxBodyBytes` (decimal digits only), each of the
 * headers a create looks at at most once and no Transfer-Encoding, Content-Encoding or Expect; null for anything else
 * (Node's). `end` may lie past the bytes received: the body is not all here yet.
 */
export function plainCreate(text: string, from: number, maxBodyBytes: number): PlainCreate | null {
  if (!text.startsWith(CREATE_LINE, from)) return null;
  const head = plainHeaders(text, from, from + CREATE_LINE.length, CREATE_ASKED);
  if (head === null) return null;
  const { contentType, contentLength } = head.asked;
  if (contentType === undefined || !PLAIN_JSON.has(contentType.toLowerCase()) || contentLength === undefined || !/^[0-9]{1,9}$/.test(contentLength)) return null;
  const length = Number(contentLength);
  if (length === 0 || length > maxBodyBytes) return null;
  return { asked: head.asked, bodyStart: head.end, end: head.end + length };
}

/**
 * The header lines from `pos` (just past the request line that starts at `from`) to the blank line,
 * when each is of the plain shape, there is one Host, each header in `asked` comes at most once,
 * Connection (if sent) is keep-alive, and nothing asks for framing or upgrades this path does not
 * do; the headers in `asked` and where the head ends. null otherwise.
 */
function plainHeaders<K extends string>(text: string, from: number, pos: number, asked: Map<string, K>): { asked: Partial<Record<K, string>>; end: number } | null {
  const headEnd = text.indexOf('\r\n\r\n', pos - 2);
  if (headEnd === -1 || headEnd - from > MAX_HEAD_BYTES) return null;
  const found: Partial<Record<K, string>> = {};
  let host = false;
  let lines = 0;
  while (pos < headEnd + 2) {
    if (++lines > MAX_HEADER_LINES) return null;
    HEADER_LINE.lastIndex = pos;
    const m = HEADER_LINE.exec(text);
    if (m === null) return null;
    pos = HEADER_LINE.lastIndex;
    const name = m[1].toLowerCase();
    const value = m[2] ?? '';
    const slot = asked.get(name);
    if (slot !== undefined) {
      if (found[slot] !== undefined) return null;
      found[slot] = value;
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
      // A compressed body is the framework's to refuse (415), never parsed here.
      case 'content-encoding':
      case 'upgrade':
      case 'expect':
        return null;
    }
  }
  if (!host || pos !== headEnd + 2) return null;
  return { asked: found, end: headEnd + 4 };
}
