import { randomUUID } from 'node:crypto';
import { SimHost, type SimCall } from '../common/sim-host.js';
import { persistedSecret } from '../common/state.js';
import { GROK_MODELS } from './models.js';
import { openAiModelList } from '../common/model-list.js';
import { publicInputsOnly, type InputFetcher } from '../fetch-input.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dimensionsFor } from '../render.js';
import { bearerToken, createUrlSigner, isReadMethod, prepareSimulator, readJsonBody, scaledSeconds, sendJson, serveFile } from '../http-util.js';
import { incorrectKey, invalidArgument, missingKey, moderationRefusal, notFound, rateLimited, serverError, XaiHttpError } from './errors.js';
import { createFaultFromPrompt, outcomeFromPrompt, XaiFaultState, type XaiFaultControls, type XaiRoute } from './faults.js';
import { XaiJobs, type XaiJobSpec } from './jobs.js';
import { outputSizeForSource, probeSource } from './probe-source.js';
import { EXTENSION_SOURCE_SECONDS, loadImage, loadVideo, MAX_EDIT_SOURCE_SECONDS, parseCreate, type JobKind, type ParsedCreate } from './validate.js';

export interface XaiSimulatorOptions {
  host?: string;
  /** How inputs given by URL are read; default: public internet addresses only (the gateway passes its own policy). */
  fetchInput?: InputFetcher;
  /** 0 (default) = ephemeral. The media host takes another ephemeral port. */
  port?: number;
  apiKey: string;
  /** Time scale (default 1 = realistic 10–45 s jobs; 20 = twenty times faster). */
  speed?: number;
  workDir: string;
}

export interface XaiSimulatorStats {
  /** Accepted create calls (generations, edits, extensions). */
  creates: number;
  /** Status GETs that were answered (not faulted). */
  polls: number;
  /** Video files served by the media host. */
  downloads: number;
  /** Media-host requests that carried an Authorization header (a client leaking its key). */
  downloadsWithAuthorization: number;
  /** Every HTTP request to the API, including rejected and faulted ones. */
  requests: number;
  /** Requests answered with an injected 429/500/503. */
  faulted: number;
}

export interface XaiSimulator {
  /** e.g. http://127.0.0.1:PORT/v1, what XAI_BASE_URL (and @ai-sdk/xai's baseURL) points at. */
  baseUrl: string;
  /** The separate "vidgen" host that serves the temporary public video URLs. */
  mediaUrl: string;
  apiKey: string;
  stats: XaiSimulatorStats;
  faults: XaiFaultControls;
  close(): Promise<void>;
}

/** Requests may carry up to eight base64 images. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** Video URLs are temporary (docs.x.ai: "Generated URLs are temporary"): one hour, real time. */
const VIDEO_URL_TTL_MS = 60 * 60_000;

const CREATE_PATHS: Record<string, JobKind> = {
  '/v1/videos/generations': 'generation',
  '/v1/videos/edits': 'edit',
  '/v1/videos/extensions': 'extension',
};
/** A request id; the create paths' last segments are not ids (GET on them is a 405). */
const STATUS_PATH = /^\/v1\/videos\/(?!(?:generations|edits|extensions)$)([A-Za-z0-9-]+)$/;
const MODELS_PATH = '/v1/models';
const MEDIA_PATH = /^\/vidgen\/([a-f0-9]+)\.mp4$/;

/** Start an xAI Grok Imagine video simulator: real HTTP, real MP4s, xAI's error shapes. */
export async function startXaiSimulator(opts: XaiSimulatorOptions): Promise<XaiSimulator> {
  const speed = await prepareSimulator(opts, { apiKey: opts.apiKey });
  const hostname = opts.host ?? '127.0.0.1';

  const faults = new XaiFaultState();
  const fetchInput = opts.fetchInput ?? publicInputsOnly;
  const jobs = new XaiJobs(opts.workDir, speed);
  const signer = createUrlSigner(VIDEO_URL_TTL_MS, persistedSecret(opts.workDir, 'url-signing'));
  const stats: XaiSimulatorStats = { creates: 0, polls: 0, downloads: 0, downloadsWithAuthorization: 0, requests: 0, faulted: 0 };
  const seenOnceMarkers = new Set<string>();
  const polledOnce = new Set<string>();
  const host = new SimHost({ workDir: opts.workDir, host: opts.host }, stats, faults);
  const defaultRetryAfter = scaledSeconds(30, speed);
  let mediaPort = 0;

  /** Video links use the hostname the client reached the API by, on the media host's port. */
  const mediaBase = (req: IncomingMessage) => {
    const h = req.headers.host ?? '';
    const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::\d+)?$/.exec(h);
    return `http://${m ? m[1] : hostname}:${mediaPort}`;
  };

  function takeFault(route: XaiRoute, model: string): XaiHttpError | undefined {
    const fault = faults.takeRequestFault(route);
    if (!fault) return undefined;
    return fault.status === 429 ? rateLimited(model, fault.retryAfterSeconds ?? defaultRetryAfter) : serverError(fault.status);
  }

  /** Fetch and check the request's media, as xAI does before accepting it. */
  async function prepare(p: ParsedCreate, modelId: string): Promise<XaiJobSpec> {
    const common = { kind: p.kind, model: p.model, modelId, prompt: p.prompt, referenceImages: [] as Buffer[] };
    if (p.kind === 'generation') {
      const [image, referenceImages] = await Promise.all([
        p.imageUrl ? loadImage(p.imageUrl, 'image', fetchInput) : undefined,
        Promise.all(p.referenceUrls.map((u, i) => loadImage(u, `reference_images[${i}]`, fetchInput))),
      ]);
      return { ...common, durationSeconds: p.duration!, resolution: p.resolution, ...dimensionsFor(p.aspectRatio, p.resolution), image, referenceImages };
    }
    const bytes = await loadVideo(p.videoUrl!, fetchInput);
    const dir = join(opts.workDir, 'inputs');
    await mkdir(dir, { recursive: true });
    const sourcePath = join(dir, `${randomUUID()}.mp4`);
    await writeFile(sourcePath, bytes);
    try {
      const src = await probeSource(sourcePath);
      if (!src) throw invalidArgument('video is not a decodable video: send an .mp4 (H.264, H.265 or AV1).');
      if (p.kind === 'edit' && src.durationSeconds > MAX_EDIT_SOURCE_SECONDS + 0.05) {
        throw invalidArgument(`The input video is ${src.durationSeconds.toFixed(1)} s long; video editing accepts at most ${MAX_EDIT_SOURCE_SECONDS} s.`);
      }
      if (p.kind === 'extension' && (src.durationSeconds < EXTENSION_SOURCE_SECONDS.min - 0.05 || src.durationSeconds > EXTENSION_SOURCE_SECONDS.max + 0.05)) {
        throw invalidArgument(`The input video is ${src.durationSeconds.toFixed(1)} s long; video extension accepts ${EXTENSION_SOURCE_SECONDS.min} to ${EXTENSION_SOURCE_SECONDS.max} s.`);
      }
      // Edits keep the source length; extensions add `duration` seconds to it.
      const durationSeconds = Math.round((src.durationSeconds + (p.kind === 'extension' ? p.duration! : 0)) * 100) / 100;
      return { ...common, durationSeconds, resolution: '720p', ...outputSizeForSource(src), sourcePath };
    } catch (err) {
      await rm(sourcePath, { force: true });
      throw err;
    }
  }

  async function handleCreate(req: IncomingMessage, res: ServerResponse, kind: JobKind): Promise<void> {
    const body = await readJsonBody(req, MAX_BODY_BYTES, (why, err) =>
      invalidArgument(why === 'too-large' ? `Request body is larger than ${MAX_BODY_BYTES} bytes.` : `Failed to parse the request body as JSON: ${err.message}`),
    );
    const model = typeof (body as { model?: unknown })?.model === 'string' ? (body as { model: string }).model : 'grok-imagine-video';
    // The fault is taken once the body is read: xAI's 429 names the model.
    host.inject(takeFault('create', model));
    const prompt = String((body as { prompt?: unknown })?.prompt ?? '');
    const markerFault = createFaultFromPrompt(prompt, seenOnceMarkers);
    if (markerFault === 'policy') throw moderationRefusal();
    if (markerFault) {
      stats.faulted++;
      throw markerFault === 429 ? rateLimited(model, defaultRetryAfter) : serverError(503);
    }
    const parsed = parseCreate(kind, body, (id) => faults.isRetired(id));
    const spec = await prepare(parsed, model);
    const outcome = outcomeFromPrompt(prompt) ?? faults.takeJobOutcome();
    const id = jobs.create(spec, outcome);
    stats.creates++;
    sendJson(res, 200, { request_id: id });
  }

  const api = host.router<XaiRoute>({
    routes: [
      {
        method: 'GET',
        path: MODELS_PATH,
        name: 'models',
        handle: ({ res }) =>
          sendJson(
            res,
            200,
            openAiModelList(
              GROK_MODELS.map((m) => m.id).filter((id) => !faults.isRetired(id)),
              'xai',
            ),
          ),
      },
      ...Object.entries(CREATE_PATHS).map(([path, kind]) => ({ method: 'POST', path, name: 'create' as const, kind: 'own-faults' as const, handle: ({ req, res }: SimCall) => handleCreate(req, res, kind) })),
      {
        method: 'GET',
        path: STATUS_PATH,
        name: 'poll',
        handle: ({ req, res, params: [id] }) => {
          const view = jobs.view(id, (fileId) => `${mediaBase(req)}${signer.sign(`/vidgen/${fileId}.mp4`)}`);
          if (!view) throw notFound(`No video request with id ${id}.`);
          stats.polls++;
          if (view.status !== 'pending') return sendJson(res, 200, view);
          // xAI answers a job still running with 202, sometimes with an empty body (see emptyPendingBodies).
          if (faults.emptyPending && !polledOnce.has(id)) {
            polledOnce.add(id);
            res.writeHead(202, { 'content-length': 0 }).end();
            return;
          }
          sendJson(res, 202, view);
        },
      },
    ],
    authenticate: (req) => {
      const token = bearerToken(req);
      if (!token) throw missingKey();
      if (token !== opts.apiKey) throw incorrectKey(token);
    },
    takeFault: (route) => takeFault(route, 'grok-imagine-video'),
    noRoute: (method, path, allowed) => (allowed.length ? new XaiHttpError(405, 'Method not allowed', `Use ${allowed[0]} ${path}.`, { allow: allowed.join(', ') }) : notFound(`No route for ${method} ${path}.`)),
  });

  /** The public media host: no auth, links expire, Range supported. */
  async function handleMedia(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const m = MEDIA_PATH.exec(url.pathname);
    const file = m ? jobs.filePath(m[1]) : undefined;
    if (!isReadMethod(req) || !m || !file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    if (signer.verify(url.pathname, url.searchParams) !== 'ok') {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('Access denied: the link has expired or is invalid.');
      return;
    }
    const fault = faults.takeRequestFault('download');
    if (fault) {
      stats.faulted++;
      res.writeHead(fault.status, { 'content-type': 'text/plain', ...(fault.status === 429 ? { 'retry-after': String(fault.retryAfterSeconds ?? defaultRetryAfter) } : {}) }).end('Service Unavailable');
      return;
    }
    stats.downloads++;
    if (req.headers.authorization !== undefined) stats.downloadsWithAuthorization++;
    await serveFile(req, res, file, 'video/mp4');
  }

  const toError = (err: unknown) => (err instanceof XaiHttpError ? err : serverError(500));
  const apiBase = await host.listen('api', api, toError, opts.port);
  const mediaUrl = await host.listen('media', handleMedia, toError);
  mediaPort = Number(new URL(mediaUrl).port);

  return {
    baseUrl: `${apiBase}/v1`,
    mediaUrl,
    apiKey: opts.apiKey,
    stats,
    faults,
    close: () => host.close(jobs),
  };
}
