import type { IncomingMessage, ServerResponse } from 'node:http';
import { callbackUrlField, CallbackWatch, type CallbackStats } from '../common/callbacks.js';
import { scaledMs } from '../common/jobs.js';
import { SimHost, signedFileRoute } from '../common/sim-host.js';
import { persistedSecret } from '../common/state.js';
import { publicInputsOnly, type InputFetcher } from '../fetch-input.js';
import { placeholderMedia } from '../example-media.js';
import { createUrlSigner, prepareSimulator, readJsonBody, requestOrigin, requireBearer, safeDecode, scaledSeconds, sendJson } from '../http-util.js';
import { imageSize } from '../image-size.js';
import { sniffImageType } from '../image-type.js';
import { ArkHttpError, authenticationError, inputTextSensitive, moderationServiceError, invalidParameter, notFound, rateLimited, serverError, taskNotFound, taskRunning } from './errors.js';
import { createFaultFromPrompt, FaultState, outcomeFromPrompt, type SeedanceFaultControls, type SeedanceRoute } from './faults.js';
import { SeedanceJobs, type SeedanceMedia } from './jobs.js';
import { parseCreateRequest, type SeedanceCreateSpec } from './validate.js';

export interface SeedanceSimulatorOptions {
  host?: string;
  /** How inputs given by URL are read; default: public internet addresses only (the gateway passes its own policy). */
  fetchInput?: InputFetcher;
  /** 0 (default) = ephemeral. */
  port?: number;
  apiKey: string;
  /** Time scale (default 1 = realistic 25–70 s tasks; 20 = twenty times faster). */
  speed?: number;
  /** Where rendered videos go. */
  workDir: string;
  /**
   * Which Ark it is: BytePlus ModelArk (default) knows the models by their international ids,
   * Volcengine Ark by its `doubao-` ids; each refuses the other's spelling like an unknown model.
   */
  region?: 'byteplus' | 'volcengine';
}

export interface SeedanceSimulatorStats {
  /** Tasks created (accepted POSTs). */
  creates: number;
  /** Task GETs answered (not faulted). */
  polls: number;
  /** Queued tasks cancelled by DELETE. */
  cancels: number;
  /** Terminal task records deleted by DELETE. */
  deletes: number;
  /** Signed video/last-frame downloads served. */
  downloads: number;
  /** Every HTTP request, including rejected and faulted ones. */
  requests: number;
  /** Requests answered with an injected 429/500/503. */
  faulted: number;
  /** Date.now() of every authenticated create attempt (accepted or not), to check client pacing. */
  createAttemptTimes: number[];
  /** Callbacks to the creates' callback_url (the task object, one per status change) and when each task ended. */
  callbacks: CallbackStats;
}

export interface SeedanceSimulator {
  /** e.g. http://127.0.0.1:PORT/api/v3 — the Ark base URL the SDKs take. */
  baseUrl: string;
  apiKey: string;
  stats: SeedanceSimulatorStats;
  faults: SeedanceFaultControls;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;
const SIGNED_URL_TTL_MS = 24 * 3600_000;
const TASKS_PATH = '/api/v3/contents/generations/tasks';
const TASK_PATH = /^\/api\/v3\/contents\/generations\/tasks\/([^/]+)$/;
const FILE_PATH = /^\/_sim\/files\/([a-f0-9]+)\.(mp4|png)$/;
/** Image limits of §4.3: each side in (300, 6000) px, aspect (w/h) in (0.4, 2.5). */
const MIN_SIDE = 300;
const MAX_SIDE = 6000;

/** Start a BytePlus ModelArk (Seedance) simulator: real HTTP, real MP4s, Ark's error shapes. */
export async function startSeedanceSimulator(opts: SeedanceSimulatorOptions): Promise<SeedanceSimulator> {
  const speed = await prepareSimulator(opts, { apiKey: opts.apiKey });

  const faults = new FaultState();
  const fetchInput = opts.fetchInput ?? publicInputsOnly;
  // Ark retries a callback 3 times when it gets no success within 5 s (spec providers-1, Volcengine doc).
  const watch = new CallbackWatch({ takeFault: () => faults.takeCallbackFault(), retryDelaysMs: [5, 5, 5].map((s) => scaledMs(s, speed)), timeoutMs: 5_000 });
  const jobs = new SeedanceJobs(opts.workDir, speed, (id) => watch.check(id));
  const signer = createUrlSigner(SIGNED_URL_TTL_MS, persistedSecret(opts.workDir, 'url-signing'));
  const stats: SeedanceSimulatorStats = { creates: 0, polls: 0, cancels: 0, deletes: 0, downloads: 0, requests: 0, faulted: 0, createAttemptTimes: [], callbacks: watch.stats };
  const seenOnce = new Set<string>();
  const host = new SimHost(opts, stats, faults);
  const defaultRetryAfter = scaledSeconds(20, speed);
  let origin = '';
  const publicBase = (req: IncomingMessage) => requestOrigin(req, origin);

  function takeFault(route: SeedanceRoute): ArkHttpError | undefined {
    const fault = faults.takeRequestFault(route);
    if (!fault) return undefined;
    return fault.status === 429 ? rateLimited(fault.retryAfterSeconds ?? defaultRetryAfter) : serverError(fault.status);
  }

  async function loadImage(url: string, index: number): Promise<Buffer> {
    let bytes: Buffer;
    try {
      // asset:// URIs name material-library images; the sandbox has none, so they get placeholders.
      const asset = /^asset:\/\/(.+)$/.exec(url);
      bytes = asset ? (await placeholderMedia(`https://example.com/seedance-asset/${encodeURIComponent(asset[1])}.png`, 'image')).bytes : (await fetchInput(url, 'image')).bytes;
    } catch (err) {
      throw invalidParameter('content.image_url', `image ${index + 1} could not be downloaded (${(err as Error).message}).`);
    }
    if (!sniffImageType(bytes)) throw invalidParameter('content.image_url', `image ${index + 1} is not a jpeg, png, webp, bmp or gif image.`);
    const size = imageSize(bytes);
    if (size) {
      const ratio = size.width / size.height;
      if (size.width <= MIN_SIDE || size.height <= MIN_SIDE || size.width >= MAX_SIDE || size.height >= MAX_SIDE || ratio <= 0.4 || ratio >= 2.5) {
        throw invalidParameter('content.image_url', `image ${index + 1} is ${size.width}x${size.height}; each side must be between ${MIN_SIDE} and ${MAX_SIDE} px and width/height between 0.4 and 2.5.`);
      }
    }
    return bytes;
  }

  async function loadMedia(spec: SeedanceCreateSpec): Promise<SeedanceMedia> {
    const bytes = await Promise.all(spec.images.map((img, i) => loadImage(img.url, i)));
    const media: SeedanceMedia = { referenceImages: [] };
    spec.images.forEach((img, i) => {
      if (img.role === 'first_frame') media.firstFrame = bytes[i];
      else if (img.role === 'last_frame') media.lastFrame = bytes[i];
      else media.referenceImages.push(bytes[i]);
    });
    if (spec.videos.length > 0) {
      try {
        media.referenceVideo = (await fetchInput(spec.videos[0], 'video')).bytes;
      } catch (err) {
        throw invalidParameter('content.video_url', `reference video 1 could not be downloaded (${(err as Error).message}).`);
      }
    }
    return media;
  }

  async function handleCreate(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJsonBody(req, MAX_BODY_BYTES, (why) => invalidParameter('body', why === 'too-large' ? `the request body exceeds ${MAX_BODY_BYTES} bytes.` : 'the request body is not valid JSON.'));
    const volcengine = opts.region === 'volcengine';
    let spec = parseCreateRequest(body, (id) => faults.isRetired(id) || id.startsWith('doubao-') !== volcengine);
    const markerFault = createFaultFromPrompt(spec.prompt, seenOnce);
    if (markerFault === 'policy') throw inputTextSensitive();
    if (markerFault === 'moderation-down') throw moderationServiceError();
    if (markerFault) {
      stats.faulted++;
      throw markerFault === 429 ? rateLimited(defaultRetryAfter) : serverError(503);
    }
    let media: SeedanceMedia;
    if (spec.draftTaskId) {
      const draft = jobs.draftSpec(spec.draftTaskId);
      if (!draft) throw invalidParameter('content.draft_task.id', `${spec.draftTaskId} is not a succeeded draft task of this account.`);
      // The final video reuses the draft's text, images, generate_audio, seed, ratio, duration and
      // camera_fixed (Ark's create-task reference, content.draft_task.id); the rest is this request's.
      const d = draft.spec;
      spec = {
        ...spec,
        prompt: d.prompt,
        images: d.images,
        videos: d.videos,
        audios: d.audios,
        generateAudio: d.generateAudio,
        seed: d.seed,
        ratio: d.ratio,
        duration: d.duration,
        cameraFixed: d.cameraFixed,
        draft: false,
      };
      media = draft.media;
    } else {
      media = await loadMedia(spec);
    }
    const outcome = outcomeFromPrompt(spec.prompt) ?? faults.takeJobOutcome();
    const id = jobs.create(spec, media, outcome);
    stats.creates++;
    const view = () => jobs.view(id, (fileId, ext) => `${origin}${signer.sign(`/_sim/files/${fileId}.${ext}`)}`);
    watch.track(id, callbackUrlField((body as { callback_url?: unknown }).callback_url) ?? undefined, {
      status: () => view()?.status,
      isEnd: (s) => !['queued', 'running'].includes(s),
      message: () => {
        const task = view();
        return { body: JSON.stringify(task), forgedBody: JSON.stringify({ ...task, status: 'succeeded', content: { video_url: 'https://forged.invalid/video.mp4' } }) };
      },
    });
    sendJson(res, 200, { id });
  }

  const link = (req: IncomingMessage) => (fileId: string, ext: 'mp4' | 'png') => `${publicBase(req)}${signer.sign(`/_sim/files/${fileId}.${ext}`)}`;

  const api = host.router<SeedanceRoute | 'file'>({
    routes: [
      { method: 'POST', path: TASKS_PATH, name: 'create', handle: ({ req, res }) => handleCreate(req, res) },
      {
        method: 'GET',
        path: TASKS_PATH,
        name: 'list',
        handle: ({ req, res, url }) => {
          const pageNum = Math.max(1, Number(url.searchParams.get('page_num')) || 1);
          const pageSize = Math.min(500, Math.max(1, Number(url.searchParams.get('page_size')) || 10));
          const filter = { status: url.searchParams.get('filter.status') ?? undefined, ids: url.searchParams.getAll('filter.task_ids'), model: url.searchParams.get('filter.model') ?? undefined };
          const items = jobs.list(filter, link(req));
          sendJson(res, 200, { items: items.slice((pageNum - 1) * pageSize, pageNum * pageSize), total: items.length });
        },
      },
      {
        method: 'GET',
        path: TASK_PATH,
        name: 'poll',
        handle: ({ req, res, params }) => {
          const id = safeDecode(params[0]);
          const task = jobs.view(id, link(req));
          if (!task) throw taskNotFound(id);
          stats.polls++;
          sendJson(res, 200, task);
        },
      },
      {
        method: 'DELETE',
        path: TASK_PATH,
        name: 'cancel',
        handle: ({ res, params }) => {
          const id = safeDecode(params[0]);
          const verdict = jobs.cancel(id);
          if (verdict === 'missing') throw taskNotFound(id);
          if (verdict === 'running') throw taskRunning(id);
          if (verdict === 'cancelled') stats.cancels++;
          else stats.deletes++;
          sendJson(res, 200, {});
        },
      },
      // The signed link stands in for a pre-signed TOS URL: no API key, no faults.
      signedFileRoute({
        path: FILE_PATH,
        name: 'file',
        signer,
        file: ([id, ext]) => ({ path: jobs.filePath(id), contentType: ext === 'mp4' ? 'video/mp4' : 'image/png' }),
        refuse: (res, why) => sendJson(res, 403, { Code: 'AccessDenied', Message: why === 'expired' ? 'Request has expired' : 'The request signature we calculated does not match the signature you provided.' }),
        onServe: () => stats.downloads++,
      }),
    ],
    path: (url) => url.pathname.replace(/\/+$/, '') || '/',
    authenticate: (req) => requireBearer(req, opts.apiKey, authenticationError, authenticationError),
    takeFault: (route) => {
      if (route === 'file') return undefined;
      if (route === 'create') stats.createAttemptTimes.push(Date.now());
      return takeFault(route);
    },
    noRoute: () => notFound(),
  });
  origin = await host.listen('api', api, (err) => (err instanceof ArkHttpError ? err : serverError(500)), opts.port);

  return {
    baseUrl: `${origin}/api/v3`,
    apiKey: opts.apiKey,
    stats,
    faults,
    close: () => host.close(jobs, watch),
  };
}
