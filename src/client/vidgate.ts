import { VidgateError } from './errors.js';
import { parseSse } from './sse.js';
import { Deadline, retryDelayMs, send, sleep, type RequestInit2, type TransportOptions } from './transport.js';
import type { CreateOptions, CreatedTask, Model, ModelList, ModelListParams, ModelPricing, Pricing, RequestOptions, Task, TaskListPage, TaskListParams, VideoGenerationRequest, WaitOptions } from './types.js';

export interface VidgateOptions {
  /** e.g. http://127.0.0.1:8080; a trailing /v1 (as OpenAI SDKs take it) is dropped. */
  baseUrl: string;
  /** sk-… (Models and Pricing work without one). */
  apiKey?: string;
  /** Per HTTP attempt, default 60 000 ms; a video download may take longer, as long as its bytes keep coming. */
  timeoutMs?: number;
  /** Retries on 429, 5xx and network errors (honouring Retry-After), default 2. */
  maxRetries?: number;
  /** Another fetch implementation (default: the global one). */
  fetch?: typeof fetch;
}

/** Longest long-poll the server accepts (GET /v1/tasks/{id}?wait=N). */
const LONG_POLL_SECONDS = 30;
/** How long a wait keeps trying to reach an unreachable gateway (a restart, a node swap) by default. */
const WAIT_RECONNECT_MS = 60_000;
/** Longest silence taken from an event stream (the gateway's heartbeat is every 15 s) before it is resumed. */
const STREAM_SILENCE_MS = 30_000;
const TERMINAL = new Set(['completed', 'failed']);

export function isTerminal(task: Pick<Task, 'status'>): boolean {
  return TERMINAL.has(task.status);
}

/** Where a task stands, to tell a change from a repeat. */
const fingerprint = (t: Task) => `${t.status}:${t.progress ?? ''}`;

/**
 * The Vidgate client. Dependency-free (only `fetch`), so it runs in Node 20+, Deno, Bun and browsers.
 *
 *   const vg = new Vidgate({ baseUrl: 'http://127.0.0.1:8080', apiKey: process.env.VIDGATE_API_KEY });
 *   const task = await vg.videos.generate({ model: 'veo3.1-fast', prompt: '…', duration: 4 });
 *   const mp4 = await vg.files.download(task);
 */
export class Vidgate {
  private readonly transport: TransportOptions;
  /** Learned on first use: does the server stream task events (SSE)? */
  private sse: boolean | undefined;

  constructor(options: VidgateOptions) {
    if (!options?.baseUrl) throw new TypeError('Vidgate: baseUrl is required, e.g. new Vidgate({ baseUrl: "http://127.0.0.1:8080", apiKey })');
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== 'function') throw new TypeError('Vidgate: no fetch available; pass options.fetch');
    // 'localhost:8080' parses as a URL of scheme 'localhost:', and every call would then fail as
    // 'Cannot reach null: unknown scheme' after its retries: say what is wrong here, once.
    if (!isHttpUrl(options.baseUrl)) throw new TypeError(`Vidgate: baseUrl must be an http(s) URL such as "http://127.0.0.1:8080"; got ${JSON.stringify(options.baseUrl)}`);
    // A key pasted with a typographic character ('sk-…', a smart quote) cannot go in a header: fetch
    // throws, which would read as 'Cannot reach <gateway>' after retries. Said here, without the key.
    const badChar = options.apiKey?.trim().search(/[^\x20-\x7e]/) ?? -1;
    if (badChar >= 0) {
      const code = options.apiKey!.trim().codePointAt(badChar)!;
      throw new TypeError(`Vidgate: apiKey has a character that is not printable ASCII (U+${code.toString(16).toUpperCase().padStart(4, '0')} at position ${badChar + 1}); copy the key again as it was printed`);
    }
    this.transport = {
      // Paths carry their /v1: a base URL copied from an OpenAI SDK setup would make /v1/v1/….
      baseUrl: options.baseUrl.replace(/\/v1\/*$/, ''),
      apiKey: options.apiKey,
      timeoutMs: options.timeoutMs ?? 60_000,
      maxRetries: options.maxRetries ?? 2,
      fetch: f.bind(globalThis),
    };
  }

  private async json<T>(path: string, init?: RequestInit2): Promise<T> {
    const res = await send(this.transport, path, init);
    return (await res.json()) as T;
  }

  readonly videos = {
    /** POST /v1/videos/generations: stores the task and answers at once. */
    create: (request: VideoGenerationRequest, opts: CreateOptions = {}): Promise<CreatedTask> =>
      this.json<CreatedTask>('/v1/videos/generations', {
        method: 'POST',
        json: request,
        // One key per call, reused by every retry of it: the server replays instead of creating twice.
        headers: { 'idempotency-key': opts.idempotencyKey ?? globalThis.crypto.randomUUID() },
        signal: opts.signal,
      }),

    /**
     * Creates a task and waits for it. Resolves with the completed task; a task that ends `failed`
     * rejects with a VidgateError of type 'task_failed' (its code and message, and `task`). Once the
     * task exists, every VidgateError (a `wait_timeout`, a gateway that stayed out of reach) carries
     * `taskId` and the task as last seen: the task goes on, so follow or cancel it with that id.
     */
    generate: async (request: VideoGenerationRequest, opts: WaitOptions & CreateOptions = {}): Promise<Task> => {
      const created = await this.videos.create(request, opts);
      const task = await this.tasks.wait(created.id, opts);
      if (task.status === 'failed') {
        const err = task.error;
        throw new VidgateError({
          status: 0,
          type: 'task_failed',
          code: err?.code ?? 'task_failed',
          message: err?.message ?? 'The task failed.',
          task,
        });
      }
      return task;
    },
  };

  readonly tasks = {
    get: async (id: string, opts: RequestOptions = {}): Promise<Task> => this.json<Task>(taskPath(id), { signal: opts.signal }),

    /** DELETE /v1/tasks/{id}: stops a task that has not started upstream (or one its provider can stop). */
    cancel: async (id: string, opts: RequestOptions = {}): Promise<Task> => this.json<Task>(taskPath(id), { method: 'DELETE', signal: opts.signal }),

    /**
     * Waits until the task is completed or failed and resolves with it (whatever the outcome).
     * Uses the server's event stream when it has one, else long polls (which a server without
     * them answers at once, so the loop then polls every pollIntervalMs).
     */
    wait: async (id: string, opts: WaitOptions = {}): Promise<Task> => {
      taskPath(id);
      // A timer of our own (the transport's Deadline), not AbortSignal.timeout: Node 20's
      // AbortSignal.any holds its sources weakly, so a timeout signal nothing else refers to can be
      // garbage-collected and never fire (a wait given timeoutMs then waited for ever).
      const deadline = opts.timeoutMs === undefined ? undefined : new Deadline(opts.timeoutMs);
      const signal = deadline === undefined ? opts.signal : AbortSignal.any([...(opts.signal ? [opts.signal] : []), deadline.signal]);
      /** The task as last seen, for an error that ends the wait without its outcome. */
      let latest: Task | undefined;
      try {
        const seen = { last: '' };
        const report = (t: Task) => {
          latest = t;
          if (fingerprint(t) !== seen.last) {
            seen.last = fingerprint(t);
            try {
              opts.onProgress?.(t);
            } catch (error) {
              throw new CallerError(error);
            }
          }
        };
        if (this.sse !== false) {
          const streamed = await this.waitByEvents(id, report, signal);
          if (streamed) return streamed;
        }
        return await this.waitByPolling(id, report, opts.pollIntervalMs ?? 2_000, opts.reconnectMs ?? WAIT_RECONNECT_MS, signal);
      } catch (err) {
        if (err instanceof CallerError) throw err.error;
        if (opts.timeoutMs !== undefined && signal?.aborted && !opts.signal?.aborted) {
          const last = latest ? ` (last seen ${latest.status}${latest.progress !== undefined ? ` ${latest.progress}%` : ''})` : '';
          throw new VidgateError({
            status: 0,
            type: 'timeout_error',
            code: 'wait_timeout',
            message: `Task ${id} did not finish within ${opts.timeoutMs} ms${last}; it goes on: wait again with tasks.wait(err.taskId), or stop it with tasks.cancel(err.taskId).`,
            taskId: id,
            task: latest,
          });
        }
        // The caller's own reason (its signal, its onProgress) is theirs, untouched; ours say which task.
        if (err instanceof VidgateError) throw err.aboutTask(id, latest);
        throw err;
      } finally {
        deadline?.stop();
      }
    },

    /** The key's tasks, newest first: `for await (const page of vg.tasks.list({ limit: 50 }))`. */
    list: (params: TaskListParams = {}, opts: RequestOptions = {}): TaskPages => new TaskPages((after) => this.json<TaskListPage>('/v1/tasks', { query: { ...params, after }, signal: opts.signal }), params.after),
  };

  readonly models = {
    list: (params: ModelListParams = {}, opts: RequestOptions = {}): Promise<ModelList> => this.json<ModelList>('/v1/models', { query: { ...params }, signal: opts.signal }),
    get: async (id: string, opts: RequestOptions = {}): Promise<Model> => this.json<Model>(itemPath('/v1/models', id), { signal: opts.signal }),
  };

  readonly pricing = {
    /** Every model's prices (`get()`, `get({ signal })`), or one model's (`get(model, { signal })`). */
    get: (async (modelOrOpts?: string | RequestOptions, opts: RequestOptions = {}) => {
      if (typeof modelOrOpts === 'string') return this.json<ModelPricing>(`${itemPath('/v1/models', modelOrOpts)}/pricing`, { signal: opts.signal });
      return this.json<Pricing>('/v1/pricing', { signal: (modelOrOpts ?? opts).signal });
    }) as {
      (opts?: RequestOptions): Promise<Pricing>;
      (model: string, opts?: RequestOptions): Promise<ModelPricing>;
    },
  };

  readonly files = {
    /** The finished video's bytes (a task, or its id). */
    download: async (task: Task | string, opts: RequestOptions = {}): Promise<Uint8Array> => {
      const res = await this.openVideo(task, opts.signal);
      return new Uint8Array(await res.arrayBuffer());
    },
    /** The finished video as a stream, for large files: `Readable.fromWeb(stream).pipe(file)`. */
    stream: async (task: Task | string, opts: RequestOptions = {}): Promise<ReadableStream<Uint8Array>> => {
      const res = await this.openVideo(task, opts.signal);
      if (!res.body) throw new VidgateError({ status: res.status, type: 'http_error', code: 'empty_body', message: 'The video answer had no body.' });
      return res.body;
    },
  };

  /** GETs a completed task's signed video_url; an expired link is refreshed once from the task. */
  private async openVideo(task: Task | string, signal?: AbortSignal): Promise<Response> {
    let current = typeof task === 'string' ? await this.tasks.get(task, { signal }) : task;
    for (let refreshed = false; ; refreshed = true) {
      if (current.status !== 'completed' || !current.video_url) {
        // The task does not say which of the two deleted it: name both rather than guess.
        const why = current.video_expired
          ? `its stored video was deleted${current.video_expired_at ? ` at ${new Date(current.video_expired_at * 1000).toISOString()}` : ''} (by retention, or by DELETE /v1/videos/{id})`
          : `it is ${current.status}`;
        throw new VidgateError({ status: 0, type: 'invalid_request_error', code: 'video_not_available', message: `Task ${current.id} has no video to download: ${why}.`, task: current });
      }
      try {
        return await send(this.transport, new URL(current.video_url, this.transport.baseUrl).toString(), { absolute: true, signal, headers: { accept: 'video/mp4' }, streamBody: true });
      } catch (err) {
        if (refreshed || !(err instanceof VidgateError) || err.code !== 'invalid_signature') throw err;
        current = await this.tasks.get(current.id, { signal });
      }
    }
  }

  /**
   * Follows GET /v1/tasks/{id}/events. Returns the terminal task, or undefined when the server has
   * no event stream (remembered) or the stream could not be used, so the caller polls instead.
   */
  private async waitByEvents(id: string, report: (t: Task) => void, signal?: AbortSignal): Promise<Task | undefined> {
    let lastEventId: string | undefined;
    for (let reconnects = 0; reconnects < 5; reconnects++) {
      let res: Response;
      try {
        res = await send({ ...this.transport, maxRetries: 0 }, `${taskPath(id)}/events`, {
          headers: { accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
          signal,
          // The stream stays open as long as the task runs, but the server writes at least a
          // heartbeat every 15 s: a stream silent for longer (a network that dropped the connection
          // without a reset) is given up and resumed, instead of waited on for ever.
          timeoutMs: STREAM_SILENCE_MS,
          streamBody: true,
        });
      } catch (err) {
        if (signal?.aborted) throw err;
        if (err instanceof VidgateError && err.status === 404) {
          if (err.code === 'route_not_found') this.sse = false;
          else throw err; // the task itself is missing
        }
        return undefined;
      }
      if (!(res.headers.get('content-type') ?? '').startsWith('text/event-stream') || !res.body) {
        await res.body?.cancel();
        this.sse = false;
        return undefined;
      }
      this.sse = true;
      try {
        for await (const event of parseSse(res.body)) {
          if (event.id !== undefined) lastEventId = event.id;
          if (event.event !== 'message' && event.event !== 'task') continue;
          let task: Task;
          try {
            task = JSON.parse(event.data) as Task;
          } catch {
            continue;
          }
          report(task);
          if (isTerminal(task)) return task;
        }
      } catch (err) {
        // The caller's own callback and signal end the wait; a broken connection (a reset, a node killed) is resumed below.
        if (err instanceof CallerError) throw err;
        if (signal?.aborted) throw err;
      }
      // The stream ended before the task did (a proxy, a restart): resume where it stopped.
    }
    return undefined;
  }

  private async waitByPolling(id: string, report: (t: Task) => void, pollIntervalMs: number, reconnectMs: number, signal?: AbortSignal): Promise<Task> {
    let previous = '';
    let longPoll = true;
    /** Since when the gateway has been out of reach, and how many tries since (reset by any answer). */
    let outage: { since: number; tries: number } | undefined;
    for (;;) {
      const started = Date.now();
      let task: Task;
      try {
        task = await this.json<Task>(taskPath(id), {
          query: { wait: longPoll ? LONG_POLL_SECONDS : undefined },
          signal,
          timeoutMs: Math.max(this.transport.timeoutMs, (LONG_POLL_SECONDS + 15) * 1000),
        });
      } catch (err) {
        if (signal?.aborted) throw err;
        // The key holds as many open waits as the server allows: plain polling still works.
        if (longPoll && err instanceof VidgateError && err.code === 'too_many_waits') {
          longPoll = false;
          continue;
        }
        // A restart outlasts the transport's few retries: a wait has its own, longer budget.
        if (!unreachable(err)) throw err;
        outage ??= { since: Date.now(), tries: 0 };
        const left = outage.since + reconnectMs - Date.now();
        if (left <= 0) throw err;
        await sleep(Math.min(left, retryDelayMs(outage.tries++, null)), signal);
        continue;
      }
      outage = undefined;
      report(task);
      if (isTerminal(task)) return task;
      const changed = fingerprint(task) !== previous;
      previous = fingerprint(task);
      // A server that held the request answered on a change (or after the wait): ask again at once.
      // One that answered at once with nothing new does not long-poll: pause, as plain polling does.
      if (!changed || Date.now() - started < 1000) await sleep(pollIntervalMs, signal);
    }
  }
}

/** Cursor pages of GET /v1/tasks: async-iterable, one page per step, until has_more is false. */
export class TaskPages implements AsyncIterable<TaskListPage> {
  constructor(
    private readonly fetchPage: (after: string | undefined) => Promise<TaskListPage>,
    private readonly startAfter: string | undefined,
  ) {}

  /** Only the first page. */
  first(): Promise<TaskListPage> {
    return this.fetchPage(this.startAfter);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<TaskListPage> {
    let after = this.startAfter;
    for (;;) {
      const page = await this.fetchPage(after);
      yield page;
      if (!page.has_more || !page.next_after) return;
      after = page.next_after;
    }
  }

  /** Every task of every page, newest first. */
  async *items(): AsyncGenerator<Task> {
    for await (const page of this) yield* page.data;
  }
}

/**
 * The path of one item of a collection. An empty id (an unset variable) would name the collection
 * itself — GET /v1/tasks/ answers the task list, which would come back typed as a Task — and '.' or
 * '..' another route: refused before any request.
 */
function itemPath(collection: '/v1/tasks' | '/v1/models', id: string): string {
  if (typeof id !== 'string' || id.trim() === '' || id === '.' || id === '..') {
    const what = collection === '/v1/tasks' ? 'task id (ldtask_…)' : 'model id (see models.list)';
    throw new VidgateError({ status: 0, type: 'invalid_request_error', code: 'invalid_id', param: 'id', message: `A ${what} is required; got ${JSON.stringify(id)}.` });
  }
  return `${collection}/${encodeURIComponent(id)}`;
}

const taskPath = (id: string) => itemPath('/v1/tasks', id);

/** Whether a base URL can reach a gateway at all: only http(s) (the CLI checks its --base-url with this too). */
export function isHttpUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** No answer, or a proxy's answer for a gateway that is not there (yet): worth trying again. */
function unreachable(err: unknown): boolean {
  return err instanceof VidgateError && err.details.retryable !== false && (err.status === 0 || err.status === 502 || err.status === 503 || err.status === 504);
}

/** An error thrown by the caller's onProgress, carried out of the wait's loops and handed back untouched. */
class CallerError {
  constructor(readonly error: unknown) {}
}
