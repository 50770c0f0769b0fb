import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenPersisted, persistedSecret } from '../common/state.js';
import { publicInputsOnly, type InputFetcher } from '../fetch-input.js';
import { closeServer, createSimServer, createUrlSigner, isReadMethod, prepareSimulator, readJsonBody, requestOrigin, requireBearer, scaledSeconds, sendJson, serveSignedFile, sleep } from '../http-util.js';
import { insufficientBalance, inputSensitive, invalidKey, invalidParams, MinimaxError, missingKey, rateLimited, serverError } from './errors.js';
import { createFaultFromPrompt, FaultState, outcomeFromPrompt, type MinimaxFaultControls, type MinimaxRoute } from './faults.js';
import { HailuoJobs } from './jobs.js';
import { parseCreateRequest } from './validate.js';

export interface MinimaxSimulatorOptions {
  host?: string;
  /** How inputs given by URL are read; default: public internet addresses only (the gateway passes its own policy). */
  fetchInput?: InputFetcher;
  /** 0 (default) = ephemeral. */
  port?: number;
  apiKey: string;
  /** Time scale (default 1 = realistic 30–120 s jobs; 20 = twenty times faster). */
  speed?: number;
  workDir: string;
}

export interface MinimaxSimulatorStats {
  /** Accepted video_generation calls (a task id was handed out). */
  creates: number;
  /** Answered query/video_generation calls. */
  polls: number;
  /** Answered files/retrieve calls. */
  retrieves: number;
  /** Video bytes served from a signed download_url. */
  downloads: number;
  /** Every HTTP request, including rejected and faulted ones. */
  requests: number;
  /** Calls answered with an injected fault. */
  faulted: number;
}

export interface MinimaxSimulator {
  /** e.g. http://127.0.0.1:PORT; clients append /v1/... */
  baseUrl: string;
  apiKey: string;
  stats: MinimaxSimulatorStats;
  faults: MinimaxFaultControls;
  close(): Promise<void>;
}

/** Images may come inline as data URLs (up to 20 MB each, two of them). */
const MAX_BODY_BYTES = 48 * 1024 * 1024;
/** Signed download URLs expire (1 h in the 2026 CN digest, §2.4); real time, not scaled. */
const DOWNLOAD_URL_TTL_MS = 60 * 60_000;
const SIGNED_FILE_PATH = /^\/_sim\/files\/(\d+)\.mp4$/;

const ROUTES: Record<string, { method: string; route: MinimaxRoute }> = {
  '/v1/video_generation': { method: 'POST', route: 'create' },
  '/v1/query/video_generation': { method: 'GET', route: 'query' },
  '/v1/files/retrieve': { method: 'GET', route: 'retrieve' },
};

/** Start a MiniMax Hailuo (video v1) simulator: real HTTP, real MP4s, MiniMax's base_resp errors. */
export async function startMinimaxSimulator(opts: MinimaxSimulatorOptions): Promise<MinimaxSimulator> {
  const speed = await prepareSimulator(opts, { apiKey: opts.apiKey });

  const faults = new FaultState();
  const jobs = new HailuoJobs(opts.workDir, speed);
  const signer = createUrlSigner(DOWNLOAD_URL_TTL_MS, persistedSecret(opts.workDir, 'url-signing'));
  const stats: MinimaxSimulatorStats = { creates: 0, polls: 0, retrieves: 0, downloads: 0, requests: 0, faulted: 0 };
  const seenOnce = new Set<string>();
  const closing = new AbortController();
  // 60 s / RPM 20 = 3 s between creates on a paid plan, scaled like everything else.
  const defaultRetryAfter = scaledSeconds(3, speed);
  let baseUrl = '';
  const publicBase = (req: IncomingMessage) => requestOrigin(req, baseUrl);

  const authenticate = (req: IncomingMessage) => requireBearer(req, opts.apiKey, missingKey, invalidKey);

  function injectedFault(route: MinimaxRoute): MinimaxError | undefined {
    const f = faults.takeRequestFault(route);
    if (!f) return undefined;
    if (f.type === 'rate') return rateLimited(f.http429, f.retryAfterSeconds ?? defaultRetryAfter);
    if (f.type === 'server') return serverError(f.status);
    return new MinimaxError(f.statusCode, f.message ?? `simulated error ${f.statusCode}`);
  }

  async function handleCreate(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJsonBody(req, MAX_BODY_BYTES, (why) => invalidParams(why === 'too-large' ? 'request body is too large' : 'request body is not valid JSON'));
    const prompt = typeof (body as { prompt?: unknown })?.prompt === 'string' ? (body as { prompt: string }).prompt : '';
    const marker = createFaultFromPrompt(prompt, seenOnce);
    if (marker) {
      stats.faulted++;
      if (marker === '429') throw rateLimited(false, defaultRetryAfter);
      if (marker === '503') throw serverError(503);
      throw marker === 'policy' ? inputSensitive() : insufficientBalance();
    }
    const spec = await parseCreateRequest(body, opts.fetchInput ?? publicInputsOnly);
    const outcome = outcomeFromPrompt(spec.prompt) ?? faults.takeJobOutcome();
    const taskId = jobs.create(spec, outcome);
    stats.creates++;
    sendJson(res, 200, { task_id: taskId, base_resp: { status_code: 0, status_msg: 'success' } });
  }

  function handleQuery(res: ServerResponse, query: URLSearchParams): void {
    const view = jobs.view(query.get('task_id') ?? '');
    if (!view) throw invalidParams('task_id not found');
    stats.polls++;
    sendJson(res, 200, view);
  }

  function handleRetrieve(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
    const raw = query.get('file_id') ?? '';
    // int64 in the OpenAPI: digits only ("123", not "\"123\"").
    if (!/^\d+$/.test(raw)) throw invalidParams('file_id must be an integer');
    const file = jobs.file(raw);
    if (!file) throw invalidParams('file not found');
    stats.retrieves++;
    sendJson(res, 200, {
      file: {
        file_id: Number(file.fileId),
        bytes: file.bytes,
        created_at: file.createdAt,
        filename: 'output_aigc.mp4',
        purpose: 'video_generation',
        download_url: `${publicBase(req)}${signer.sign(`/_sim/files/${file.fileId}.mp4`)}`,
      },
      base_resp: { status_code: 0, status_msg: 'success' },
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests++;
    const url = new URL(req.url ?? '/', 'http://sim.invalid');

    // Stands in for the CDN behind download_url: pre-signed, no key, no faults.
    const signed = SIGNED_FILE_PATH.exec(url.pathname);
    if (signed && isReadMethod(req)) {
      const refuse = (why: 'expired' | 'bad') => sendJson(res, 403, { code: 'AccessDenied', message: why === 'expired' ? 'Request has expired' : 'Signature does not match' });
      return serveSignedFile(req, res, { url, signer, file: jobs.file(signed[1])?.path, contentType: 'video/mp4' }, refuse, () => stats.downloads++);
    }

    const entry = ROUTES[url.pathname];
    if (!entry || entry.method !== req.method) {
      sendJson(res, 404, { base_resp: { status_code: 1000, status_msg: `no route for ${req.method} ${url.pathname}` } });
      return;
    }
    const { route } = entry;
    try {
      await sleep(faults.latencyMs, closing.signal);
      authenticate(req);
      const fault = injectedFault(route);
      if (fault) {
        stats.faulted++;
        throw fault;
      }
      if (route === 'create') await handleCreate(req, res);
      else if (route === 'query') handleQuery(res, url.searchParams);
      else handleRetrieve(req, res, url.searchParams);
    } catch (err) {
      // The create route's error body carries an empty task_id (documented example).
      if (err instanceof MinimaxError) throw Object.assign(err, { route });
      throw err;
    }
  }

  const server = createSimServer(handle, (err) => {
    const e = err instanceof MinimaxError ? err : serverError(500);
    const route = (err as { route?: string }).route;
    return { httpStatus: e.httpStatus, headers: e.headers, toBody: () => e.toBody(route) };
  });
  baseUrl = await listenPersisted(server, opts.workDir, 'api', opts.host ?? '127.0.0.1', opts.port);

  return {
    baseUrl,
    apiKey: opts.apiKey,
    stats,
    faults,
    async close() {
      closing.abort();
      await Promise.all([closeServer(server), jobs.close()]);
    },
  };
}
