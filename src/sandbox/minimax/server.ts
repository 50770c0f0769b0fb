import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { callbackUrlField, CallbackWatch, type CallbackStats } from '../common/callbacks.js';
import { scaledMs } from '../common/jobs.js';
import { SimHost, signedFileRoute, type SimCall } from '../common/sim-host.js';
import { persistedSecret } from '../common/state.js';
import { publicInputsOnly, type InputFetcher } from '../fetch-input.js';
import { createUrlSigner, prepareSimulator, readJsonBody, requestOrigin, requireBearer, scaledSeconds, sendJson } from '../http-util.js';
import { insufficientBalance, inputSensitive, invalidKey, invalidParams, MinimaxError, missingKey, OFFICIAL_MESSAGES, rateLimited, serverError } from './errors.js';
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
  /** Status callbacks to the creates' callback_url (after its challenge was echoed) and when each task ended. */
  callbacks: CallbackStats;
  /** callback_url checks ({"challenge"}) answered with the challenge / not. */
  challengesPassed: number;
  challengesFailed: number;
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

/** Start a MiniMax Hailuo (video v1) simulator: real HTTP, real MP4s, MiniMax's base_resp errors. */
export async function startMinimaxSimulator(opts: MinimaxSimulatorOptions): Promise<MinimaxSimulator> {
  const speed = await prepareSimulator(opts, { apiKey: opts.apiKey });

  const faults = new FaultState();
  const watch = new CallbackWatch({ takeFault: () => faults.takeCallbackFault(), retryDelaysMs: [5, 30, 120].map((s) => scaledMs(s, speed)), timeoutMs: 5_000 });
  const jobs = new HailuoJobs(opts.workDir, speed, (id) => watch.check(id));
  const signer = createUrlSigner(DOWNLOAD_URL_TTL_MS, persistedSecret(opts.workDir, 'url-signing'));
  const stats: MinimaxSimulatorStats = { creates: 0, polls: 0, retrieves: 0, downloads: 0, requests: 0, faulted: 0, callbacks: watch.stats, challengesPassed: 0, challengesFailed: 0 };
  const seenOnce = new Set<string>();
  const host = new SimHost(opts, stats, faults);
  // 60 s / RPM 20 = 3 s between creates on a paid plan, scaled like everything else.
  const defaultRetryAfter = scaledSeconds(3, speed);
  let baseUrl = '';
  const publicBase = (req: IncomingMessage) => requestOrigin(req, baseUrl);

  function takeFault(route: MinimaxRoute): MinimaxError | undefined {
    const f = faults.takeRequestFault(route);
    if (!f) return undefined;
    if (f.type === 'rate') return rateLimited(f.http429, f.retryAfterSeconds ?? defaultRetryAfter);
    if (f.type === 'server') return serverError(f.status);
    return new MinimaxError(f.statusCode, f.message ?? OFFICIAL_MESSAGES[f.statusCode] ?? `simulated error ${f.statusCode}`);
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
    const callbackUrl = callbackUrlField((body as { callback_url?: unknown })?.callback_url);
    if (callbackUrl === null) throw invalidParams('callback_url must be a valid http(s) URL');
    const spec = await parseCreateRequest(body, opts.fetchInput ?? publicInputsOnly, (id) => faults.isRetired(id));
    const outcome = outcomeFromPrompt(spec.prompt) ?? faults.takeJobOutcome();
    const taskId = jobs.create(spec, outcome);
    stats.creates++;
    void verifyThenWatch(taskId, callbackUrl);
    sendJson(res, 200, { task_id: taskId, base_resp: { status_code: 0, status_msg: 'success' } });
  }

  /**
   * MiniMax first checks the callback URL: it POSTs {"challenge"} and wants it echoed within 3 s;
   * then it POSTs the task, query-shaped with status processing|success|failed, on each change.
   */
  async function verifyThenWatch(taskId: string, url: string | undefined): Promise<void> {
    let echoed = false;
    if (url) {
      const challenge = randomBytes(16).toString('hex');
      const res = await watch.sender.post(url, JSON.stringify({ challenge }));
      echoed = res?.ok ? ((await res.json().catch(() => null)) as { challenge?: unknown } | null)?.challenge === challenge : false;
      if (echoed) stats.challengesPassed++;
      else stats.challengesFailed++;
    }
    const status = () => {
      const s = String(jobs.view(taskId)?.status ?? '');
      return s === 'Success' ? 'success' : s === 'Fail' || s === 'Failed' ? 'failed' : s ? 'processing' : undefined;
    };
    watch.track(taskId, echoed ? url : undefined, {
      status,
      isEnd: (s) => s === 'success' || s === 'failed',
      message: (s) => {
        const v = jobs.view(taskId)!;
        const body = { task_id: taskId, status: s, file_id: String(v.file_id ?? ''), base_resp: v.base_resp };
        return { body: JSON.stringify(body), forgedBody: JSON.stringify({ ...body, status: 'success', file_id: '999999999999' }) };
      },
    });
  }

  function handleQuery({ res, url }: SimCall): void {
    const view = jobs.view(url.searchParams.get('task_id') ?? '');
    if (!view) throw invalidParams('task_id not found');
    stats.polls++;
    sendJson(res, 200, view);
  }

  function handleRetrieve({ req, res, url }: SimCall): void {
    const raw = url.searchParams.get('file_id') ?? '';
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

  const api = host.router<MinimaxRoute | 'file'>({
    routes: [
      { method: 'POST', path: '/v1/video_generation', name: 'create', handle: ({ req, res }) => handleCreate(req, res) },
      { method: 'GET', path: '/v1/query/video_generation', name: 'query', handle: handleQuery },
      { method: 'GET', path: '/v1/files/retrieve', name: 'retrieve', handle: handleRetrieve },
      // Stands in for the CDN behind download_url: pre-signed, no key, no faults.
      signedFileRoute({
        path: SIGNED_FILE_PATH,
        name: 'file',
        signer,
        file: ([id]) => ({ path: jobs.file(id)?.path, contentType: 'video/mp4' }),
        refuse: (res, why) => sendJson(res, 403, { code: 'AccessDenied', message: why === 'expired' ? 'Request has expired' : 'Signature does not match' }),
        onServe: () => stats.downloads++,
      }),
    ],
    authenticate: (req) => requireBearer(req, opts.apiKey, missingKey, invalidKey),
    takeFault: (route) => (route === 'file' ? undefined : takeFault(route)),
    noRoute: (method, path) => new MinimaxError(1000, `no route for ${method} ${path}`, 404),
    // The create route's error body carries an empty task_id (documented example).
    routeError: (err, route) => (err instanceof MinimaxError ? Object.assign(err, { route }) : err),
  });
  baseUrl = await host.listen(
    'api',
    api,
    (err) => {
      const e = err instanceof MinimaxError ? err : serverError(500);
      const route = (err as { route?: string }).route;
      return { httpStatus: e.httpStatus, headers: e.headers, toBody: () => e.toBody(route) };
    },
    opts.port,
  );

  return {
    baseUrl,
    apiKey: opts.apiKey,
    stats,
    faults,
    close: () => host.close(jobs, watch),
  };
}
