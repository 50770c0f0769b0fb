import { randomUUID } from 'node:crypto';
import { SimHost, signedFileRoute, type SimCall } from '../common/sim-host.js';
import { persistedSecret } from '../common/state.js';
import { publicInputsOnly, type InputFetcher } from '../fetch-input.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createUrlSigner, safeDecode, prepareSimulator, readJsonBody, requestOrigin, requireBearer, sendJson } from '../http-util.js';
import { cannotCancel, DashScopeError, inputInspectionFailed, invalidKey, invalidParameter, missingKey, modelNotFound, notFound, serverError, syncNotSupported, throttled } from './errors.js';
import { createFaultFromPrompt, FaultState, outcomeFromPrompt, type DashScopeFaultControls, type DashScopeRoute } from './faults.js';
import { WanTasks } from './jobs.js';
import { findModel } from './models.js';
import { parseCreateRequest } from './validate.js';

export interface DashScopeSimulatorOptions {
  host?: string;
  /** How inputs given by URL are read; default: public internet addresses only (the gateway passes its own policy). */
  fetchInput?: InputFetcher;
  /** 0 (default) = ephemeral. */
  port?: number;
  apiKey: string;
  /** Time scale (default 1 = realistic 1–4 min jobs; 20 = twenty times faster). */
  speed?: number;
  workDir: string;
}

export interface DashScopeSimulatorStats {
  /** Accepted create calls (a task id was handed out). */
  creates: number;
  /** Answered GET /tasks/{id} calls. */
  polls: number;
  /** Tasks cancelled while PENDING. */
  cancels: number;
  /** Video bytes served from a signed video_url. */
  downloads: number;
  /** Every HTTP request, including rejected and faulted ones. */
  requests: number;
  /** Calls answered with an injected fault. */
  faulted: number;
}

export interface DashScopeSimulator {
  /** Origin, e.g. http://127.0.0.1:PORT (the @ai-sdk/alibaba baseURL); the API lives under `apiBaseUrl`. */
  baseUrl: string;
  /** `${baseUrl}/api/v1`: what DASHSCOPE_BASE_URL points at. */
  apiBaseUrl: string;
  apiKey: string;
  stats: DashScopeSimulatorStats;
  faults: DashScopeFaultControls;
  close(): Promise<void>;
}

/** Images may come inline as data URLs (≤ 10 MB each). */
const MAX_BODY_BYTES = 48 * 1024 * 1024;
/** OSS result URLs live 24 h (§3.6); real time. */
const VIDEO_URL_TTL_MS = 24 * 3600_000;

const CREATE_PATHS: Record<string, 'video' | 'image2video'> = {
  '/api/v1/services/aigc/video-generation/video-synthesis': 'video',
  '/api/v1/services/aigc/image2video/video-synthesis': 'image2video',
};
const TASK_PATH = /^\/api\/v1\/tasks\/([^/]+)$/;
const CANCEL_PATH = /^\/api\/v1\/tasks\/([^/]+)\/cancel$/;
const OSS_PATH = /^\/_sim\/oss\/([0-9a-f-]+\.mp4)$/;

/** Start an Alibaba Model Studio (DashScope) Wan video simulator: real HTTP, real MP4s, DashScope's envelopes. */
export async function startDashScopeSimulator(opts: DashScopeSimulatorOptions): Promise<DashScopeSimulator> {
  const speed = await prepareSimulator(opts, { apiKey: opts.apiKey });

  const faults = new FaultState();
  const tasks = new WanTasks(opts.workDir, speed);
  const signer = createUrlSigner(VIDEO_URL_TTL_MS, persistedSecret(opts.workDir, 'url-signing'));
  const stats: DashScopeSimulatorStats = { creates: 0, polls: 0, cancels: 0, downloads: 0, requests: 0, faulted: 0 };
  const seenOnce = new Set<string>();
  const host = new SimHost(opts, stats, faults);
  let baseUrl = '';
  const publicBase = (req: IncomingMessage) => requestOrigin(req, baseUrl);

  function takeFault(route: DashScopeRoute): DashScopeError | undefined {
    const f = faults.takeRequestFault(route);
    if (!f) return undefined;
    if (f.type === 'rate') return throttled(f.retryAfterSeconds);
    if (f.type === 'server') return serverError(f.status);
    return new DashScopeError(f.status, f.code, f.message ?? `simulated ${f.code}`);
  }

  async function handleCreate(req: IncomingMessage, res: ServerResponse, endpoint: 'video' | 'image2video'): Promise<void> {
    if ((req.headers['x-dashscope-async'] ?? '').toString().toLowerCase() !== 'enable') throw syncNotSupported();
    const body = await readJsonBody(req, MAX_BODY_BYTES, (why) => invalidParameter(why === 'too-large' ? 'The request body is too large.' : 'The request body is not valid JSON.'));
    const modelId = (body as { model?: unknown })?.model;
    if (typeof modelId !== 'string' || modelId === '') throw invalidParameter('Field required: model');
    const model = faults.isRetired(modelId) ? undefined : findModel(modelId);
    if (!model) throw modelNotFound(modelId);
    if ((model.mode === 'kf2v') !== (endpoint === 'image2video')) {
      throw invalidParameter(`Model ${model.id} is not served on this endpoint; ${model.mode === 'kf2v' ? 'use /services/aigc/image2video/video-synthesis' : 'use /services/aigc/video-generation/video-synthesis'}.`);
    }
    const prompt = String((body as { input?: { prompt?: unknown } }).input?.prompt ?? '');
    const marker = createFaultFromPrompt(prompt, seenOnce);
    if (marker) {
      stats.faulted++;
      throw marker === '429' ? throttled() : marker === '503' ? serverError(503) : inputInspectionFailed();
    }
    const spec = await parseCreateRequest(body, model, opts.fetchInput ?? publicInputsOnly);
    const outcome = outcomeFromPrompt(spec.prompt) ?? faults.takeJobOutcome();
    const taskId = tasks.create(spec, outcome);
    stats.creates++;
    sendJson(res, 200, { request_id: randomUUID(), output: { task_id: taskId, task_status: 'PENDING' } });
  }

  const createRoutes = Object.entries(CREATE_PATHS).map(([path, endpoint]) => ({
    method: 'POST',
    path,
    name: 'create' as const,
    handle: ({ req, res }: SimCall) => handleCreate(req, res, endpoint),
  }));
  const api = host.router<DashScopeRoute | 'file'>({
    routes: [
      ...createRoutes,
      {
        method: 'POST',
        path: CANCEL_PATH,
        name: 'cancel',
        handle: ({ res, params }) => {
          if (!tasks.cancel(safeDecode(params[0]))) throw cannotCancel();
          stats.cancels++;
          sendJson(res, 200, { request_id: randomUUID() });
        },
      },
      {
        method: 'GET',
        path: TASK_PATH,
        name: 'poll',
        handle: ({ req, res, params }) => {
          stats.polls++;
          const view = tasks.view(safeDecode(params[0]), publicBase(req), (p) => signer.sign(p));
          sendJson(res, 200, { request_id: randomUUID(), ...view });
        },
      },
      // Stands in for the signed OSS result URL: no key, no faults.
      signedFileRoute({
        path: OSS_PATH,
        name: 'file',
        signer,
        file: ([name]) => ({ path: tasks.filePath(name), contentType: 'video/mp4' }),
        refuse: (res, why) => sendJson(res, 403, { Code: 'AccessDenied', Message: why === 'expired' ? 'Request has expired.' : 'The request signature we calculated does not match the signature you provided.' }),
        onServe: () => stats.downloads++,
      }),
    ],
    authenticate: (req) => requireBearer(req, opts.apiKey, missingKey, invalidKey),
    takeFault: (route) => (route === 'file' ? undefined : takeFault(route)),
    noRoute: (method, path) => notFound(`${method} ${path}`),
  });
  baseUrl = await host.listen('api', api, (err) => (err instanceof DashScopeError ? err : serverError(500)), opts.port);

  return {
    baseUrl,
    apiBaseUrl: `${baseUrl}/api/v1`,
    apiKey: opts.apiKey,
    stats,
    faults,
    close: () => host.close(tasks),
  };
}
