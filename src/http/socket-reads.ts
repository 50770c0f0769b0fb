import type http from 'node:http';
import type { Socket } from 'node:net';
import { type AskedHeaders, type FastReads, TASK_PATH_LENGTH, TASK_PATH_PREFIX } from './fast-reads.js';

/**
 * Task reads answered on the socket, before Node's HTTP server parses anything.
 *
 * Node's HTTP layer costs a task read about a quarter of its time in the gateway's busy isolate
 * (bench/README.md, "third session": its internals run there with megamorphic property loads).
 * A connection that opens with a plain `GET /v1/tasks/{id}` whose answer is in memory (FastReads)
 * is answered here, request after request. The first request this path does not answer — another
 * route, anything unusual in the head, a task or key not in memory, a head split across packets —
 * hands the connection, with every byte not yet answered, to Node's server for good; it answers
 * exactly as it would have. Only heads of a strict, plain shape are read here, so anything Node's
 * parser would refuse (or read differently) reaches Node's parser.
 */
export interface SocketReads {
  /** Idle connections this path owns (it answers from memory synchronously; only a lookup makes one busy). */
  readonly open: number;
  /** Shutting down: closes the connections this path still owns, as Node closes its idle ones. */
  closeIdle(): void;
}

export interface SocketReadTimeouts {
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

/** Node waits this long past `keepAliveTimeout` before closing an idle connection; so does this path. */
const KEEP_ALIVE_GRACE_MS = 1000;
/** Past this much unsent output, stop reading a pipelining client until it drains. */
const MAX_PENDING_OUTPUT = 64 * 1024;

export function answerTaskReadsOnSockets(
  server: http.Server,
  fast: FastReads,
  /** The full path's lookup for a plain read not in memory (refreshTaskRead): true when memory now holds it. */
  refresh: (id: string, authorization: string | undefined) => Promise<boolean>,
  t: SocketReadTimeouts,
  /** Writes the 408 envelope a silent new connection gets from Node's server, then closes. */
  headersTimedOut: (socket: Socket) => void,
): SocketReads {
  const toNode = server.listeners('connection')[0] as (socket: Socket) => void;
  server.removeAllListeners('connection');
  /** Connections this path owns and that are idle (none is mid-request but those waiting on `refresh`). */
  const idle = new Set<Socket>();
  // Written as Node's server writes them.
  const keepAlive = `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(t.keepAliveTimeoutMs / 1000)}\r\n`;
  const keepAliveMs = t.keepAliveTimeoutMs + KEEP_ALIVE_GRACE_MS;

  server.on('connection', (socket: Socket) => {
    let answered = 0;
    let refreshing = false;
    /** Until handed to Node's server. */
    let mine = true;
    idle.add(socket);
    const handOff = (unread: Buffer | null) => {
      mine = false;
      idle.delete(socket);
      socket.removeListener('data', onData);
      socket.removeListener('timeout', onTimeout);
      socket.removeListener('close', onClose);
      socket.removeListener('error', onError);
      socket.setTimeout(0);
      socket.pause();
      if (unread !== null && unread.length > 0) socket.unshift(unread);
      toNode.call(server, socket);
      socket.resume();
    };
    /** Answers the requests in `chunk` while it can; `refreshed`: the first one was just looked up (no second lookup). */
    const consume = (chunk: Buffer, refreshed: boolean): void => {
      // Not a GET (a create and its upload, say): Node's, without copying the bytes into a string.
      if (chunk[0] !== 0x47) {
        handOff(chunk);
        return;
      }
      const text = chunk.toString('latin1');
      let from = 0;
      while (from < text.length) {
        const head = fast.closing ? null : plainTaskRead(text, from);
        if (head === null) break;
        const out = fast.serveRaw(head.path, head.asked, `Date: ${httpDate()}\r\n${keepAlive}`);
        if (out === null) {
          if (refreshed && from === 0) break;
          // Not in memory (expired, or never read here): the full path's lookup, then answered here.
          const unread = chunk.subarray(from);
          refreshing = true;
          idle.delete(socket);
          socket.pause();
          refresh(head.path.slice(TASK_PATH_PREFIX.length), head.asked.authorization).then((held) => {
            refreshing = false;
            if (socket.destroyed) return;
            if (!held) return handOff(unread);
            idle.add(socket);
            consume(unread, true);
            if (mine && !refreshing && socket.writableLength <= MAX_PENDING_OUTPUT) socket.resume();
          });
          return;
        }
        socket.write(out);
        answered++;
        from = head.end;
      }
      if (from < text.length) {
        handOff(from === 0 ? chunk : chunk.subarray(from));
        return;
      }
      if (answered > 0 && socket.timeout !== keepAliveMs) socket.setTimeout(keepAliveMs);
      if (socket.writableLength > MAX_PENDING_OUTPUT) {
        // A client pipelining reads it does not collect: read no more until it drains.
        socket.pause();
        socket.once('drain', () => {
          if (mine && !refreshing) socket.resume();
        });
      }
    };
    const onData = (chunk: Buffer) => consume(chunk, false);
    const onTimeout = () => {
      if (refreshing) return;
      idle.delete(socket);
      // Silent since it opened: the 408 Node's header timer sends. Idle after answers: closed quietly.
      if (answered === 0) headersTimedOut(socket);
      else socket.destroy();
    };
    const onClose = () => idle.delete(socket);
    // A reset or a broken pipe while this path owns the connection: nothing to answer.
    const onError = () => socket.destroy();
    socket.on('data', onData);
    socket.on('timeout', onTimeout);
    socket.on('close', onClose);
    socket.on('error', onError);
    socket.setTimeout(t.headersTimeoutMs);
  });

  return {
    get open() {
      return idle.size;
    },
    closeIdle() {
      for (const socket of idle) socket.destroy();
      idle.clear();
    },
  };
}

/** The Date header's value, made once a second (as Node's server does). */
let dateSecond = -1;
let dateText = '';
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

/** A header line of the plain shape: a token name, a colon, visible ASCII, spaces and tabs. */
const HEADER_LINE = /([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([\x21-\x7e](?:[\x20-\x7e\t]*[\x21-\x7e])?)?[ \t]*\r\n/y;
/** More header lines than a poller sends: Node's parser takes the request (it keeps its own count). */
const MAX_HEADER_LINES = 32;
/** Node's default limit on a request head; a longer head is Node's to refuse. */
const MAX_HEAD_BYTES = 16 * 1024;

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
