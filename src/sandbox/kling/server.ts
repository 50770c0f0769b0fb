import { randomInt, randomUUID } from 'node:crypto';
import { callbackUrlField, CallbackWatch, type CallbackStats } from '../common/callbacks.js';
import { scaledMs } from '../common/jobs.js';
import { SimHost } from '../common/sim-host.js';
import { publicInputsOnly, type InputFetcher } from '../fetch-input.js';
import { mkdir, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { probeVideo } from '../../media/probe.js';
import { prepareSimulator, readJsonBody, requestOrigin, scaledSeconds, sendJson, serveFile } from '../http-util.js';
import { imageSize } from '../image-size.js';
import { sniffImageType } from '../image-type.js';
import { checkToken } from './auth.js';
import { contentRefused, invalidRequest, invalidValue, KlingHttpError, notFound, rateLimited, serverError } from './errors.js';
import { createFaultFromPrompt, KlingFaultState, outcomeFromPrompt, type KlingFaultControls, type KlingRoute } from './faults.js';
import { KlingTasks } from './jobs.js';
import type { SimKind } from './models.js';
import { parseCreate, type InputLoader, type LoadedImage, type LoadedVideo } from './validate.js';

export interface KlingSimulatorOptions {
  host?: string;
  /** How inputs given by URL are read; default: public internet addresses only (the gateway passes its own policy). */
  fetchInput?: InputFetcher;
  /** 0 (default) = ephemeral. */
  port?: number;
  /** The AccessKey/SecretKey pair a JWT is signed with… */
  accessKey: string;
  secretKey: string;
  /** …and, optionally, a console-issued API key accepted as a Bearer token as it is. */
  apiKey?: string;
  /** Time scale (default 1 = realistic 20–80 s tasks; 20 = twenty times faster). */
  speed?: number;
  workDir: string;
  /** Concurrent tasks the account's resource pack allows (over it: 429 code 1303). Default unlimited. */
  maxConcurrentTasks?: number;
}

export interface KlingSimulatorStats {
  /** Video tasks accepted. */
  creates: number;
  /** Custom elements created. */
  elements: number;
  /** Authenticated task queries answered (single and list). */
  polls: number;
  /** Result videos served. */
  downloads: number;
  /** Every HTTP request, including rejected and faulted ones. */
  requests: number;
  /** Requests answered with an injected error. */
  faulted: number;
  /** Requests refused by validation or auth (4xx). */
  rejected: number;
  /** Callbacks to the creates' callback_url (one per status change) and when each task ended. */
  callbacks: CallbackStats;
}

export interface KlingSimulator {
  /** e.g. http://127.0.0.1:PORT; clients append /v1/... */
  baseUrl: string;
  stats: KlingSimulatorStats;
  faults: KlingFaultControls;
  close(): Promise<void>;
}

/** Bodies carry a few base64 images (≤ 10 MB each). */
const MAX_BODY_BYTES = 48 * 1024 * 1024;
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
const SIM_KINDS: SimKind[] = ['text2video', 'image2video', 'motion-control', 'omni-video'];

const CREATE_PATH = /^\/v1\/videos\/([a-z0-9-]+)$/;
const QUERY_PATH = /^\/v1\/videos\/([a-z0-9-]+)\/([^/]+)$/;
const ELEMENTS_PATH = '/v1/general/custom-elements';
const VIDEO_FILE = /^\/_sim\/videos\/([0-9a-f]+)\.mp4$/;

const ok = (data: unknown) => ({ code: 0, message: 'SUCCEED', request_id: randomUUID(), data });

/** Start a Kling open API simulator: JWT auth, Kling's envelopes and codes, real MP4s. */
export async function startKlingSimulator(opts: KlingSimulatorOptions): Promise<KlingSimulator> {
  const speed = await prepareSimulator(opts, { accessKey: opts.accessKey, secretKey: opts.secretKey });
  const inputsDir = join(opts.workDir, 'inputs');
  const fetchInput = opts.fetchInput ?? publicInputsOnly;
  await mkdir(inputsDir, { recursive: true });

  const defaultRetryAfter = scaledSeconds(10, speed);
  const faults = new KlingFaultState(defaultRetryAfter);
  // Kling documents no retry schedule: three retries, spaced out, after a non-2xx or no answer in 5 s.
  const watch = new CallbackWatch({ takeFault: () => faults.takeCallbackFault(), retryDelaysMs: [5, 30, 120].map((s) => scaledMs(s, speed)), timeoutMs: 5_000 });
  const stats: KlingSimulatorStats = { creates: 0, elements: 0, polls: 0, downloads: 0, requests: 0, faulted: 0, rejected: 0, callbacks: watch.stats };
  const tasks = new KlingTasks(opts.workDir, speed, (id) => watch.check(id));
  const elements = new Map<string, { frontal: Buffer; data: Record<string, unknown> }>();
  const seenOnce = new Set<string>();
  const host = new SimHost(opts, stats, faults);
  let baseUrl = '';
  const publicBase = (req: IncomingMessage) => requestOrigin(req, baseUrl);

  const loader: InputLoader = {
    async image(value: string, field: string): Promise<LoadedImage> {
      if (/^data:/i.test(value)) throw invalidValue(`${field} must be a URL or a Base64 string without the data: prefix`);
      let bytes: Buffer;
      if (/^https?:\/\//i.test(value)) {
        try {
          bytes = (await fetchInput(value, 'image')).bytes;
        } catch {
          throw invalidValue(`${field} could not be downloaded; make sure the URL is publicly accessible`);
        }
      } else {
        if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) throw invalidValue(`${field} must be a URL or a Base64 string`);
        bytes = Buffer.from(value, 'base64');
      }
      const type = sniffImageType(bytes);
      const size = imageSize(bytes);
      if (!size || (type !== 'png' && type !== 'jpeg')) throw invalidValue(`${field} format must be jpg, jpeg or png`);
      if (bytes.length > MAX_IMAGE_BYTES) throw invalidValue(`${field} cannot exceed 10MB`);
      if (size.width < 300 || size.height < 300) throw invalidValue(`${field} width and height must be at least 300px`);
      const ratio = size.width / size.height;
      if (ratio < 1 / 2.5 - 1e-6 || ratio > 2.5 + 1e-6) throw invalidValue(`${field} aspect ratio must be between 1:2.5 and 2.5:1`);
      return { bytes, width: size.width, height: size.height };
    },
    async video(value: string, field: string): Promise<LoadedVideo> {
      if (!/^https?:\/\//i.test(value)) throw invalidValue(`${field} must be a publicly accessible URL`);
      let bytes: Buffer;
      try {
        bytes = (await fetchInput(value, 'video')).bytes;
      } catch {
        throw invalidValue(`${field} could not be downloaded; make sure the URL is publicly accessible`);
      }
      const path = join(inputsDir, `${randomUUID()}.mp4`);
      await writeFile(path, bytes);
      try {
        const p = await probeVideo(path);
        return { path, durationSeconds: p.durationSeconds, width: p.width, height: p.height, hasAudio: p.hasAudio };
      } catch {
        throw invalidValue(`${field} is not a readable mp4/mov video`);
      }
    },
    element(id: string) {
      return elements.get(id);
    },
  };

  function takeFault(route: KlingRoute): KlingHttpError | undefined {
    const f = faults.takeRequestFault(route);
    if (!f) return undefined;
    return new KlingHttpError(f.httpStatus, f.code, f.message, f.retryAfterSeconds !== undefined ? { 'retry-after': String(f.retryAfterSeconds) } : {});
  }

  /** Kling element ids are Java longs: read them as strings so none loses precision. */
  function readJson(req: IncomingMessage): Promise<unknown> {
    return readJsonBody(
      req,
      MAX_BODY_BYTES,
      (why) => invalidRequest(why === 'too-large' ? 'Request body is too large' : 'Invalid request parameters: the body is not valid JSON'),
      (text) => JSON.parse(text.replace(/("element_id"\s*:\s*)(\d+)/g, '$1"$2"')),
    );
  }

  async function handleCreate(req: IncomingMessage, res: ServerResponse, kind: SimKind): Promise<void> {
    const body = await readJson(req);
    const prompt = typeof (body as { prompt?: unknown })?.prompt === 'string' ? (body as { prompt: string }).prompt : '';
    const marker = createFaultFromPrompt(prompt, seenOnce);
    if (marker) {
      if (marker !== 'policy') stats.faulted++;
      throw marker === 'rate' ? rateLimited(1303, defaultRetryAfter) : marker === 'unavailable' ? serverError(503) : contentRefused();
    }
    const modelName = (body as { model_name?: unknown })?.model_name;
    if (typeof modelName === 'string' && faults.isRetired(modelName)) throw invalidValue(`model_name is invalid: ${modelName}`);
    const callbackUrl = callbackUrlField((body as { callback_url?: unknown })?.callback_url);
    if (callbackUrl === null) throw invalidValue('callback_url must be a valid http(s) URL');
    const spec = await parseCreate(kind, body, loader);
    if (spec.externalTaskId && tasks.hasExternalId(spec.externalTaskId)) throw invalidValue('external_task_id already exists');
    if (opts.maxConcurrentTasks !== undefined && tasks.activeCount() >= opts.maxConcurrentTasks) throw rateLimited(1303, defaultRetryAfter);
    const task = tasks.create(spec, outcomeFromPrompt(spec.prompt) ?? faults.takeJobOutcome());
    stats.creates++;
    // On every status change Kling POSTs the task as a query returns it (its `data`).
    watch.track(task.id, callbackUrl, {
      status: () => tasks.view(task, baseUrl).task_status,
      isEnd: (s) => s === 'succeed' || s === 'failed',
      message: () => {
        const view = tasks.view(task, baseUrl);
        const lie = { ...view, task_status: 'succeed', task_result: { videos: [{ id: 'forged', url: 'https://forged.invalid/video.mp4', watermark_url: '', duration: '5' }] } };
        return { body: JSON.stringify(view), forgedBody: JSON.stringify(lie) };
      },
    });
    sendJson(res, 200, ok({ task_id: task.id, task_status: 'submitted', task_info: spec.externalTaskId ? { external_task_id: spec.externalTaskId } : {}, created_at: task.createdAt, updated_at: task.createdAt }));
  }

  async function handleElement(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = (await readJson(req)) as Record<string, unknown>;
    if (!body || typeof body !== 'object') throw invalidRequest('Request body must be a JSON object');
    const name = body.element_name;
    const description = body.element_description;
    if (typeof name !== 'string' || name.trim() === '' || [...name].length > 20) throw invalidValue('element_name is required and cannot exceed 20 characters');
    if (typeof description !== 'string' || description.trim() === '' || [...description].length > 100) throw invalidValue('element_description is required and cannot exceed 100 characters');
    if (typeof body.element_frontal_image !== 'string') throw invalidValue('element_frontal_image is required');
    const refers = body.element_refer_list;
    if (!Array.isArray(refers) || refers.length < 1 || refers.length > 3 || refers.some((r) => typeof r?.image_url !== 'string')) {
      throw invalidValue('element_refer_list must hold 1 to 3 items of {image_url}');
    }
    const frontal = await loader.image(body.element_frontal_image, 'element_frontal_image');
    for (const [i, r] of (refers as Array<{ image_url: string }>).entries()) await loader.image(r.image_url, `element_refer_list[${i}].image_url`);
    const id = `8${Array.from({ length: 17 }, () => randomInt(10)).join('')}`;
    const data = { element_name: name, element_description: description, element_frontal_image: body.element_frontal_image.slice(0, 200), element_refer_list: refers, tag_list: [], owned_by: 'sim-creator' };
    elements.set(id, { frontal: frontal.bytes, data });
    stats.elements++;
    // element_id is a bare JSON integer (a Java long) in Kling's reply, not a string.
    const text = JSON.stringify(ok({ element_id: id, ...data })).replace(`"element_id":"${id}"`, `"element_id":${id}`);
    res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  /** The task family named in the path, if the simulator serves it. */
  function simKind(kind: string): SimKind {
    if (!SIM_KINDS.includes(kind as SimKind)) throw new KlingHttpError(404, 1202, `Invalid request path: /v1/videos/${kind} is not simulated`);
    return kind as SimKind;
  }

  const api = host.router<KlingRoute>({
    routes: [
      { method: 'POST', path: CREATE_PATH, name: 'create', handle: ({ req, res, params }) => handleCreate(req, res, simKind(params[0])) },
      {
        method: 'GET',
        path: QUERY_PATH,
        name: 'poll',
        handle: ({ req, res, params: [family, id] }) => {
          const kind = simKind(family);
          stats.polls++;
          // The path names one task by task_id, or by the external_task_id given at create (§1.3), under the family that created it.
          const task = tasks.get(kind, id) ?? tasks.list(kind).find((t) => t.spec.externalTaskId === id);
          if (!task) throw notFound(`task ${id} not found under ${kind}`);
          sendJson(res, 200, ok(tasks.view(task, publicBase(req))));
        },
      },
      {
        method: 'GET',
        path: CREATE_PATH,
        name: 'poll',
        handle: ({ req, res, url, params }) => {
          const kind = simKind(params[0]);
          stats.polls++;
          // The list endpoint pages (pageNum, pageSize); it has no filter, so anything else in the query is ignored.
          const pageNum = Number(url.searchParams.get('pageNum') ?? '1');
          const pageSize = Number(url.searchParams.get('pageSize') ?? '30');
          if (!Number.isInteger(pageNum) || pageNum < 1 || pageNum > 1000) throw invalidValue('pageNum must be an integer in [1, 1000]');
          if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 500) throw invalidValue('pageSize must be an integer in [1, 500]');
          const page = tasks.list(kind).slice((pageNum - 1) * pageSize, pageNum * pageSize);
          sendJson(res, 200, ok(page.map((t) => tasks.view(t, publicBase(req)))));
        },
      },
      { method: 'POST', path: ELEMENTS_PATH, name: 'element', handle: ({ req, res }) => handleElement(req, res) },
      // Result files stand in for Kling's public CDN links: no token needed, but download faults apply.
      {
        method: ['GET', 'HEAD'],
        path: VIDEO_FILE,
        name: 'download',
        kind: 'open',
        handle: async ({ req, res, params }) => {
          host.inject(takeFault('download'));
          const p = tasks.filePath(params[0]);
          if (!p) throw notFound('File not found');
          stats.downloads++;
          await serveFile(req, res, p, 'video/mp4');
        },
      },
    ],
    authenticate: (req) => {
      const header = req.headers.authorization;
      const err = checkToken(Array.isArray(header) ? header[0] : header, opts.accessKey, opts.secretKey, undefined, opts.apiKey);
      if (err) throw err;
    },
    takeFault,
    noRoute: () => new KlingHttpError(404, 1202, 'Invalid request method or path'),
  });
  baseUrl = await host.listen(
    'api',
    api,
    (err) => {
      const e = err instanceof KlingHttpError ? err : serverError(500);
      if (e.httpStatus >= 400 && e.httpStatus < 500 && e.httpStatus !== 429) stats.rejected++;
      return e;
    },
    opts.port,
  );

  return {
    baseUrl,
    stats,
    faults,
    close: () => host.close(tasks, watch),
  };
}
