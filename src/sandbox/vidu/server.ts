import { createHmac, randomUUID } from 'node:crypto';
import { callbackUrlField, CallbackWatch, type CallbackStats } from '../common/callbacks.js';
import { scaledMs } from '../common/jobs.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SimHost, signedFileRoute, type SimCall } from '../common/sim-host.js';
import { persistedSecret } from '../common/state.js';
import { publicInputsOnly, type InputFetcher } from '../fetch-input.js';
import { createUrlSigner, safeDecode, prepareSimulator, readJsonBody, requestOrigin, scaledSeconds, sendJson } from '../http-util.js';
import { badRequest, creditInsufficient, fieldInvalid, notFound, operationInProcess, promptPolicy, quotaExceeded, serverError, unauthorized, ViduHttpError } from './errors.js';
import { createFaultFromPrompt, FaultState, outcomeFromPrompt, type ViduFaultControls, type ViduRoute } from './faults.js';
import { ViduJobs } from './jobs.js';
import { ENDPOINTS, findModel, type ViduEndpoint } from './models.js';
import { loadImages, parseCreateRequest, type ViduCreateSpec } from './validate.js';

export interface ViduSimulatorOptions {
  host?: string;
  /** How inputs given by URL are read; default: public internet addresses only (the gateway passes its own policy). */
  fetchInput?: InputFetcher;
  /** 0 (default) = ephemeral. */
  port?: number;
  apiKey: string;
  /** Time scale (default 1 = realistic 20–90 s tasks; 20 = twenty times faster). */
  speed?: number;
  /** Where rendered videos go. */
  workDir: string;
}

export interface ViduSimulatorStats {
  /** Tasks created (accepted create calls). */
  creates: number;
  /** Authenticated task queries answered (not faulted). */
  polls: number;
  /** Video downloads served from creations[].url. */
  downloads: number;
  /** Every HTTP request, including rejected and faulted ones. */
  /** Tasks stopped by POST /tasks/{id}/cancel. */
  cancels: number;
  /** Callbacks to the creates' callback_url (signed; one per state change) and when each task ended. */
  callbacks: CallbackStats;
  requests: number;
  /** Requests answered with an injected 429/5xx or marker fault. */
  faulted: number;
}

export interface ViduSimulator {
  /** e.g. http://127.0.0.1:PORT/ent/v2 — the same shape as https://api.vidu.com/ent/v2. */
  baseUrl: string;
  apiKey: string;
  stats: ViduSimulatorStats;
  faults: ViduFaultControls;
  close(): Promise<void>;
}

export const API_PREFIX = '/ent/v2';
/** §4.4: the whole POST body must be ≤ 20 MB. */
const MAX_BODY_BYTES = 20 * 1024 * 1024;
/** creations[].url lives this long (real time): "valid for one hour" on the older doc revision. */
const SIGNED_URL_TTL_MS = 60 * 60_000;

const POLL_PATH = new RegExp(`^${API_PREFIX}/tasks/([^/]+)/creations$`);
const CANCEL_PATH = new RegExp(`^${API_PREFIX}/tasks/([^/]+)/cancel$`);
const FILE_PATH = /^\/_sim\/files\/(\d+)\.(mp4|jpg)$/;

/** Start a Vidu enterprise API v2 simulator: real HTTP, real MP4s, Vidu's error envelope. */
export async function startViduSimulator(opts: ViduSimulatorOptions): Promise<ViduSimulator> {
  const speed = await prepareSimulator(opts, { apiKey: opts.apiKey });

  const faults = new FaultState();
  const watch = new CallbackWatch({ takeFault: () => faults.takeCallbackFault(), retryDelaysMs: [5, 30, 120].map((s) => scaledMs(s, speed)), timeoutMs: 5_000 });
  const jobs = new ViduJobs(opts.workDir, speed, (id) => watch.check(id));
  const signer = createUrlSigner(SIGNED_URL_TTL_MS, persistedSecret(opts.workDir, 'url-signing'));
  const stats: ViduSimulatorStats = { creates: 0, polls: 0, downloads: 0, cancels: 0, requests: 0, faulted: 0, callbacks: watch.stats };
  const seenOnceMarkers = new Set<string>();
  const host = new SimHost(opts, stats, faults);
  const defaultRetryAfter = scaledSeconds(10, speed);
  let origin = '';
  const publicOrigin = (req: IncomingMessage) => requestOrigin(req, origin);

  function takeFault(route: ViduRoute): ViduHttpError | undefined {
    const fault = faults.takeRequestFault(route);
    if (!fault) return undefined;
    return fault.status === 429 ? quotaExceeded(fault.retryAfterSeconds ?? defaultRetryAfter) : serverError(fault.status);
  }

  function readJson(req: IncomingMessage): Promise<unknown> {
    return readJsonBody(req, MAX_BODY_BYTES, (why) => badRequest(why === 'too-large' ? 'request body exceeds 20MB; send images as URLs' : 'request body is not valid JSON'));
  }

  /** The create answer echoes the request (§4.5); aspect_ratio/bgm/audio/style only where taken. */
  function echo(spec: ViduCreateSpec, model: string, task: { id: string; credits: number; createdAt: number }) {
    return {
      task_id: task.id,
      state: 'created',
      model,
      ...(spec.style !== undefined ? { style: spec.style } : {}),
      prompt: spec.prompt,
      ...(spec.endpoint !== 'text2video' ? { images: spec.images } : {}),
      duration: spec.duration,
      seed: spec.seed,
      ...(spec.aspectRatio !== undefined ? { aspect_ratio: spec.aspectRatio } : {}),
      resolution: spec.resolution,
      ...(spec.bgm !== undefined ? { bgm: spec.bgm } : {}),
      ...(spec.audio !== undefined ? { audio: spec.audio } : {}),
      movement_amplitude: spec.movementAmplitude,
      payload: spec.payload,
      off_peak: spec.offPeak,
      credits: task.credits,
      watermark: spec.watermark,
      created_at: new Date(task.createdAt).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z'),
    };
  }

  async function handleCreate(req: IncomingMessage, res: ServerResponse, endpoint: ViduEndpoint): Promise<void> {
    const body = await readJson(req);
    const modelId = (body as { model?: unknown })?.model;
    if (modelId === undefined || modelId === '') throw new ViduHttpError(400, 'FieldLacking', 'field is missing or empty: model');
    const model = typeof modelId === 'string' && !faults.isRetired(modelId) ? findModel(modelId) : undefined;
    if (!model) throw fieldInvalid('model', `unknown model ${JSON.stringify(modelId)}`);

    const prompt = String((body as { prompt?: unknown }).prompt ?? '');
    const marker = createFaultFromPrompt(prompt, seenOnceMarkers);
    if (marker) {
      stats.faulted++;
      if (marker === 'prompt-policy') throw promptPolicy();
      if (marker === 'credits') throw creditInsufficient();
      if (marker === 'busy') throw operationInProcess();
      throw marker === 429 ? quotaExceeded(defaultRetryAfter) : serverError(503);
    }
    if (faults.takeCreditFault()) {
      stats.faulted++;
      throw creditInsufficient();
    }
    const callbackUrl = callbackUrlField((body as { callback_url?: unknown }).callback_url);
    if (callbackUrl === null) throw fieldInvalid('callback_url', 'must be a valid http(s) URL');
    const spec = parseCreateRequest(body, endpoint, model);
    if (faults.concurrencyLimit !== null && jobs.activeCount() >= faults.concurrencyLimit) throw quotaExceeded(defaultRetryAfter);
    const images = await loadImages(spec, opts.fetchInput ?? publicInputsOnly);
    const outcome = outcomeFromPrompt(spec.prompt) ?? faults.takeJobOutcome();
    const task = jobs.create(model, spec, images, outcome);
    stats.creates++;
    // On each state change Vidu POSTs the task as GET …/creations returns it, signed with our API key.
    const view = () => jobs.view(task.id, (creationId, kind) => `${origin}${signer.sign(`/_sim/files/${creationId}.${kind === 'video' ? 'mp4' : 'jpg'}`)}`);
    watch.track(task.id, callbackUrl, {
      status: () => view()?.state,
      isEnd: (s) => s === 'success' || s === 'failed',
      message: () => ({ body: JSON.stringify(view()), headers: (_body, forged) => viduSignature(callbackUrl!, forged ? `${opts.apiKey}-forged` : opts.apiKey) }),
    });
    sendJson(res, 200, echo(spec, model.id, task));
  }

  const api = host.router<ViduRoute | 'file'>({
    routes: [
      ...ENDPOINTS.map((endpoint) => ({ method: 'POST', path: `${API_PREFIX}/${endpoint}`, name: 'create' as const, handle: ({ req, res }: SimCall) => handleCreate(req, res, endpoint) })),
      {
        method: 'GET',
        path: POLL_PATH,
        name: 'poll',
        handle: ({ req, res, params }) => {
          const task = jobs.view(safeDecode(params[0]), (creationId, kind) => `${publicOrigin(req)}${signer.sign(`/_sim/files/${creationId}.${kind === 'video' ? 'mp4' : 'jpg'}`)}`);
          if (!task) throw notFound('TaskNotFound', 'task not found');
          stats.polls++;
          sendJson(res, 200, task);
        },
      },
      {
        method: 'POST',
        path: CANCEL_PATH,
        name: 'cancel',
        handle: ({ req, res, params }) => {
          req.resume();
          const verdict = jobs.cancel(safeDecode(params[0]));
          if (verdict === 'missing') throw notFound('TaskNotFound', 'task not found');
          if (verdict === 'scheduled') throw badRequest('task state is scheduled, can not cancel');
          stats.cancels++;
          sendJson(res, 200, {});
        },
      },
      // The signed link stands in for Vidu's CDN URL: no Token, no faults except download ones.
      signedFileRoute({
        path: FILE_PATH,
        name: 'file',
        signer,
        file: ([id, ext]) => (ext === 'mp4' ? { path: jobs.file(id, 'video'), contentType: 'video/mp4' } : { path: jobs.file(id, 'cover'), contentType: 'image/jpeg' }),
        // CDN-style refusal (an expired link is fixed by querying the task again for a fresh one).
        refuse: (_res, why) => {
          throw new ViduHttpError(403, 'Forbidden', why === 'expired' ? 'signed URL expired' : 'signature invalid');
        },
        onServe: ([, ext]) => {
          if (ext !== 'mp4') return;
          host.inject(takeFault('download'));
          stats.downloads++;
        },
      }),
    ],
    authenticate: (req) => {
      const m = /^Token\s+(\S+)\s*$/.exec(req.headers.authorization ?? '');
      if (!m || m[1] !== opts.apiKey) throw unauthorized();
    },
    takeFault: (route) => (route === 'file' ? undefined : takeFault(route)),
    noRoute: () => notFound('NotFound', 'not found'),
  });
  origin = await host.listen('api', api, (err) => (err instanceof ViduHttpError ? err : serverError(500)), opts.port);

  return {
    baseUrl: `${origin}${API_PREFIX}`,
    apiKey: opts.apiKey,
    stats,
    faults,
    close: () => host.close(jobs, watch),
  };
}

/**
 * Vidu's callback signature (platform.vidu.com/docs/callback-signature): base64 HMAC-SHA256 with the
 * API key over "POST\n{path}\n{query}\nvidu\n{Date}\n" + "Date:{Date}\nx-request-nonce:{nonce}\n".
 */
function viduSignature(callbackUrl: string, key: string): Record<string, string> {
  const u = new URL(callbackUrl);
  const date = new Date().toUTCString();
  const nonce = randomUUID();
  const text = `POST\n${u.pathname || '/'}\n${u.search.replace(/^\?/, '')}\nvidu\n${date}\nDate:${date}\nx-request-nonce:${nonce}\n`;
  return {
    Date: date,
    'x-request-nonce': nonce,
    'X-HMAC-SIGNED-HEADERS': 'Date;x-request-nonce',
    'X-HMAC-SIGNATURE': createHmac('sha256', key).update(text, 'utf8').digest('base64'),
    'X-HMAC-ALGORITHM': 'hmac-sha256',
    'X-HMAC-ACCESS-KEY': 'vidu',
  };
}
