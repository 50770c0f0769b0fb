import type { IncomingMessage, ServerResponse } from 'node:http';
import { persistedSecret, listenPersisted } from '../common/state.js';
import { closeServer, createSimServer, createUrlSigner, isReadMethod, prepareSimulator, readJsonBody, requestOrigin, scaledSeconds, sendJson, serveSignedFile, sleep } from '../http-util.js';
import {
  GoogleHttpError,
  invalidArgument,
  invalidKey,
  missingKey,
  notFound,
  resourceExhausted,
  serverError,
} from './errors.js';
import { createFaultFromPrompt, FaultState, outcomeFromPrompt, type FaultControls, type GoogleRoute } from './faults.js';
import { VeoJobs } from './jobs.js';
import { findModel, modelResource, VEO_MODELS } from './models.js';
import { parseCreateRequest } from './validate.js';

export interface GoogleSimulatorOptions {
  host?: string;
  /** 0 (default) = ephemeral. */
  port?: number;
  apiKey: string;
  /** Time scale (default 1 = realistic 11–60 s jobs; 10 = ten times faster). */
  speed?: number;
  /** Where rendered videos go. */
  workDir: string;
}

export interface GoogleSimulatorStats {
  /** Operations created (accepted predictLongRunning calls). */
  creates: number;
  /** Authenticated operation GETs that were answered (not faulted). */
  polls: number;
  /** Authenticated file downloads answered with the redirect to the bytes. */
  downloads: number;
  /** Every HTTP request, including rejected and faulted ones. */
  requests: number;
  /** Requests answered with an injected 429/500/503. */
  faulted: number;
}

export interface GoogleSimulator {
  /** e.g. http://127.0.0.1:PORT; clients append /v1beta/... */
  baseUrl: string;
  apiKey: string;
  stats: GoogleSimulatorStats;
  faults: FaultControls;
  close(): Promise<void>;
}

/** Requests carry up to five base64 images; Google's own cap is about 20 MB. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** Signed download links live this long (real time, not scaled). */
const SIGNED_URL_TTL_MS = 5 * 60_000;

const CREATE_PATH = /^\/v1beta\/models\/([^/:]+):predictLongRunning$/;
const POLL_PATH = /^\/v1beta\/models\/([^/:]+)\/operations\/([^/:]+)$/;
const DOWNLOAD_PATH = /^\/v1beta\/files\/([^/:]+):download$/;
const MODELS_PATH = '/v1beta/models';
/** models.list pages (the API's default page size is 50). */
const MODELS_PAGE_SIZE = 50;
const SIGNED_FILE_PATH = /^\/_sim\/files\/([a-z0-9]+)\.mp4$/;

type Route = { route: GoogleRoute; method: string; params: string[] };

function matchRoute(path: string): Route | undefined {
  let m = CREATE_PATH.exec(path);
  if (m) return { route: 'create', method: 'POST', params: [m[1]] };
  m = POLL_PATH.exec(path);
  if (m) return { route: 'poll', method: 'GET', params: [m[1], m[2]] };
  m = DOWNLOAD_PATH.exec(path);
  if (m) return { route: 'download', method: 'GET', params: [m[1]] };
  if (path === MODELS_PATH) return { route: 'models', method: 'GET', params: [] };
  return undefined;
}

/** Start a Gemini API (Veo) simulator: real HTTP, real MP4s, Google's error shapes. */
export async function startGoogleSimulator(opts: GoogleSimulatorOptions): Promise<GoogleSimulator> {
  const speed = await prepareSimulator(opts, { apiKey: opts.apiKey });

  const faults = new FaultState();
  const jobs = new VeoJobs(opts.workDir, speed);
  const signer = createUrlSigner(SIGNED_URL_TTL_MS, persistedSecret(opts.workDir, 'url-signing'));
  const stats: GoogleSimulatorStats = { creates: 0, polls: 0, downloads: 0, requests: 0, faulted: 0 };
  const seenOnceMarkers = new Set<string>();
  const closing = new AbortController();
  const defaultRetryAfter = scaledSeconds(30, speed);
  let baseUrl = '';
  const publicBase = (req: IncomingMessage) => requestOrigin(req, baseUrl);

  function authenticate(req: IncomingMessage, query: URLSearchParams): void {
    const header = req.headers['x-goog-api-key'];
    const key = (Array.isArray(header) ? header[0] : header) ?? query.get('key') ?? undefined;
    if (!key) throw missingKey();
    if (key !== opts.apiKey) throw invalidKey();
  }

  function injectedFault(route: GoogleRoute, model: string): GoogleHttpError | undefined {
    const fault = faults.takeRequestFault(route);
    if (!fault) return undefined;
    return fault.status === 429 ? resourceExhausted(model, fault.retryAfterSeconds ?? defaultRetryAfter) : serverError(fault.status);
  }

  async function handleCreate(req: IncomingMessage, res: ServerResponse, modelId: string): Promise<void> {
    const model = faults.isRetired(modelId) ? undefined : findModel(modelId);
    if (!model) {
      throw notFound(`models/${modelId} is not found for API version v1beta, or is not supported for predictLongRunning. Call ListModels to see the list of available models and their supported methods.`);
    }
    const body = await readJsonBody(req, MAX_BODY_BYTES, (why, err) =>
      why === 'too-large' ? invalidArgument(`Request payload size exceeds the limit: ${MAX_BODY_BYTES} bytes.`) : invalidArgument(`Invalid JSON payload received. ${err.message}`),
    );
    const prompt = String((body as { instances?: Array<{ prompt?: unknown }> })?.instances?.[0]?.prompt ?? '');
    const markerFault = createFaultFromPrompt(prompt, seenOnceMarkers);
    if (markerFault) {
      stats.faulted++;
      throw markerFault === 429 ? resourceExhausted(model.id, defaultRetryAfter) : serverError(503);
    }
    const spec = parseCreateRequest(body, model);
    if (spec.video && 'fileId' in spec.video && !jobs.hasFile(spec.video.fileId)) {
      throw invalidArgument('instances[0].video.uri does not name a video generated by Veo (or it has expired).');
    }
    const outcome = outcomeFromPrompt(spec.prompt) ?? faults.takeJobOutcome();
    const name = jobs.create(model, spec, outcome);
    stats.creates++;
    sendJson(res, 200, { name });
  }

  /** models.list: the models this upstream serves now (a retired one is no longer named). */
  function listModels(url: URL, res: ServerResponse): void {
    const size = Math.min(1000, Math.max(1, Number(url.searchParams.get('pageSize')) || MODELS_PAGE_SIZE));
    const start = Number(url.searchParams.get('pageToken') ?? '0') || 0;
    const all = VEO_MODELS.filter((m) => !faults.isRetired(m.id));
    const page = all.slice(start, start + size);
    sendJson(res, 200, { models: page.map(modelResource), ...(start + size < all.length ? { nextPageToken: String(start + size) } : {}) });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests++;
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      throw notFound('Method not found.');
    }

    // The signed link stands in for Google's storage redirect target: no API key, no faults.
    const signed = SIGNED_FILE_PATH.exec(path);
    if (signed && isReadMethod(req)) {
      return serveSignedFile(req, res, { url, signer, file: jobs.filePath(signed[1]), contentType: 'video/mp4' }, (why) => {
        throw new GoogleHttpError(403, 'PERMISSION_DENIED', why === 'expired' ? 'The signed URL has expired.' : 'Invalid signature.');
      });
    }

    const route = matchRoute(path);
    if (!route || route.method !== req.method) throw notFound('Method not found.');
    await sleep(faults.latencyMs, closing.signal);
    authenticate(req, url.searchParams);
    const fault = route.route === 'models' ? undefined : injectedFault(route.route, route.route === 'download' ? 'files' : route.params[0]);
    if (fault) {
      stats.faulted++;
      throw fault;
    }

    if (route.route === 'create') return handleCreate(req, res, route.params[0]);
    if (route.route === 'models') return listModels(url, res);
    if (route.route === 'poll') {
      stats.polls++;
      const [modelId, opId] = route.params;
      const op = jobs.view(modelId, opId, publicBase(req));
      if (!op) throw notFound(`Operation models/${modelId}/operations/${opId} not found.`);
      sendJson(res, 200, op);
      return;
    }
    const fileId = route.params[0];
    if (!jobs.filePath(fileId)) throw notFound(`File ${fileId} not found.`);
    stats.downloads++;
    res.writeHead(302, { location: `${publicBase(req)}${signer.sign(`/_sim/files/${fileId}.mp4`)}`, 'content-length': 0 });
    res.end();
  }

  const server = createSimServer(handle, (err) => (err instanceof GoogleHttpError ? err : serverError(500)));
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
