import type { IncomingMessage } from 'node:http';
import { SimHost, signedFileRoute, type SimCall } from '../common/sim-host.js';
import { persistedSecret } from '../common/state.js';
import { createUrlSigner, prepareSimulator, readBody, readJsonBody, requestOrigin, sameSecret, scaledSeconds, sendJson } from '../http-util.js';
import { insufficientCredits, invalidInput, invalidState, notFound, rateLimited, serverError, TopazHttpError, unauthorized } from './errors.js';
import { FaultState, type TopazFaultControls, type TopazRoute } from './faults.js';
import { DOWNLOAD_URL_TTL_MS, TopazJobs } from './jobs.js';
import { parseCreateRequest } from './validate.js';

export interface TopazSimulatorOptions {
  host?: string;
  /** 0 (default) = ephemeral. */
  port?: number;
  apiKey: string;
  /** Time scale (default 1 = realistic; 20 = twenty times faster). */
  speed?: number;
  workDir: string;
  /** Bytes per upload URL (Topaz: 500 MB); tests lower it to get multi-part uploads. */
  partBytes?: number;
}

export interface TopazSimulatorStats {
  /** Requests created (POST /video/). */
  creates: number;
  /** Requests accepted (credits reserved). */
  accepts: number;
  /** Upload parts received. */
  uploads: number;
  /** Uploads completed (processing queued). */
  completes: number;
  /** Status GETs answered. */
  polls: number;
  /** Output downloads served. */
  downloads: number;
  /** Requests stopped by DELETE /video/{id} (credits refunded). */
  cancels: number;
  requests: number;
  faulted: number;
}

export interface TopazSimulator {
  baseUrl: string;
  apiKey: string;
  stats: TopazSimulatorStats;
  faults: TopazFaultControls;
  close(): Promise<void>;
}

const MAX_JSON_BYTES = 1024 * 1024;
const MAX_PART_BYTES = 2 * 1024 * 1024 * 1024;
/** Upload links: Topaz states no lifetime for them (the simulator keeps them 7 days). */
const UPLOAD_URL_TTL_MS = 7 * 24 * 3600_000;
/** One upload URL per 500 MB (decimal: 500,000,000 bytes, §5.4). */
const DEFAULT_PART_BYTES = 500_000_000;

const CREATE = /^\/video\/?$/;
const ACCEPT = /^\/video\/([A-Za-z0-9-]+)\/accept\/?$/;
const COMPLETE = /^\/video\/([A-Za-z0-9-]+)\/complete-upload\/?$/;
const STATUS = /^\/video\/([A-Za-z0-9-]+)\/status\/?$/;
const REQUEST = /^\/video\/([A-Za-z0-9-]+)\/?$/;
const UPLOAD = /^\/_sim\/uploads\/([A-Za-z0-9-]+)\/(\d+)$/;
const FILE = /^\/_sim\/files\/([a-f0-9]+)\.mp4$/;

/** An empty body counts as `{}`. */
function readJson(req: IncomingMessage): Promise<unknown> {
  return readJsonBody(
    req,
    MAX_JSON_BYTES,
    (why) => invalidInput('body', why === 'too-large' ? 'is too large' : 'is not valid JSON'),
    (text) => (text.trim() === '' ? {} : JSON.parse(text)),
  );
}

/** Start a Topaz Labs Video API simulator: create/accept/upload/complete/status with real MP4 output. */
export async function startTopazSimulator(opts: TopazSimulatorOptions): Promise<TopazSimulator> {
  const speed = await prepareSimulator(opts, { apiKey: opts.apiKey });

  const faults = new FaultState();
  const jobs = new TopazJobs(opts.workDir, speed, opts.partBytes ?? DEFAULT_PART_BYTES);
  const signingSecret = persistedSecret(opts.workDir, 'url-signing');
  const signer = createUrlSigner(UPLOAD_URL_TTL_MS, signingSecret);
  // Download links live 24 h, and each status call signs a fresh one (Topaz's OpenAPI, status endpoint).
  const downloadSigner = createUrlSigner(DOWNLOAD_URL_TTL_MS, signingSecret);
  const stats: TopazSimulatorStats = { creates: 0, accepts: 0, uploads: 0, completes: 0, polls: 0, downloads: 0, cancels: 0, requests: 0, faulted: 0 };
  const host = new SimHost(opts, stats, faults);
  const defaultRetryAfter = scaledSeconds(20, speed);
  let origin = '';
  const publicBase = (req: IncomingMessage) => requestOrigin(req, origin);

  function takeFault(route: TopazRoute): TopazHttpError | undefined {
    const f = faults.takeRequestFault(route);
    if (!f) return undefined;
    return f.status === 429 ? rateLimited(f.retryAfterSeconds ?? defaultRetryAfter) : serverError(f.status);
  }

  function jobOf(id: string) {
    const job = jobs.get(id);
    if (!job) throw notFound(`Request ${id} not found.`);
    return job;
  }

  async function handleUpload({ req, res, url, path, params }: SimCall): Promise<void> {
    if (signer.verify(path, url.searchParams) !== 'ok') {
      req.resume();
      sendJson(res, 403, { message: 'The upload URL has expired or its signature does not match.', errorCode: 'FORBIDDEN' });
      return;
    }
    await host.delay();
    host.inject(takeFault('upload'));
    const job = jobOf(params[0]);
    const partNum = Number(params[1]);
    if (partNum < 1 || partNum > job.urlCount) throw invalidState(`Part ${partNum} is outside 1..${job.urlCount}.`);
    let bytes: Buffer;
    try {
      bytes = await readBody(req, MAX_PART_BYTES);
    } catch {
      throw invalidState('The part is larger than allowed.');
    }
    const eTag = jobs.putPart(job, partNum, bytes);
    stats.uploads++;
    res.writeHead(200, { etag: `"${eTag}"`, 'content-length': 0 });
    res.end();
  }

  function handleAccept({ req, res, params: [id] }: SimCall): void {
    const job = jobOf(id);
    if (faults.takeCreditsShortfall()) throw insufficientCredits(job.estimates.cost[1]);
    const count = jobs.accept(job);
    stats.accepts++;
    const urls = Array.from({ length: count }, (_, i) => `${publicBase(req)}${signer.sign(`/_sim/uploads/${id}/${i + 1}`)}`);
    // 202, as Topaz's OpenAPI documents for accept (and for complete-upload below).
    sendJson(res, 202, { uploadId: `2~${id.replace(/-/g, '')}`, urls });
  }

  async function handleComplete({ req, res, params: [id] }: SimCall): Promise<void> {
    const job = jobOf(id);
    const body = await readJson(req);
    const results = (body as { uploadResults?: unknown }).uploadResults;
    if (!Array.isArray(results) || results.length === 0) throw invalidInput('uploadResults', 'is required (one {partNum, eTag} per uploaded part)');
    const parsed = results.map((r, i) => {
      const o = r as { partNum?: unknown; eTag?: unknown };
      if (typeof o?.partNum !== 'number' || typeof o.eTag !== 'string') throw invalidInput(`uploadResults.${i}`, 'needs partNum (number) and eTag (string)');
      return { partNum: o.partNum, eTag: o.eTag };
    });
    jobs.complete(job, parsed, faults.takeJobOutcome());
    stats.completes++;
    sendJson(res, 202, { message: 'Processing has been queued' });
  }

  const api = host.router<TopazRoute | 'file'>({
    routes: [
      {
        method: 'POST',
        path: CREATE,
        name: 'create',
        handle: async ({ req, res }) => {
          const created = jobs.create(parseCreateRequest(await readJson(req), (model) => faults.isRetired(model)));
          stats.creates++;
          sendJson(res, 200, created);
        },
      },
      { method: 'PATCH', path: ACCEPT, name: 'accept', handle: handleAccept },
      { method: 'PATCH', path: COMPLETE, name: 'complete', handle: handleComplete },
      {
        method: 'GET',
        path: STATUS,
        name: 'status',
        handle: ({ req, res, params: [id] }) => {
          const job = jobOf(id);
          stats.polls++;
          sendJson(
            res,
            200,
            jobs.view(job, (fileId) => `${publicBase(req)}${downloadSigner.sign(`/_sim/files/${fileId}.mp4`)}`),
          );
        },
      },
      {
        method: 'DELETE',
        path: REQUEST,
        name: 'cancel',
        handle: ({ res, params: [id] }) => {
          const answer = jobs.cancel(jobOf(id));
          if (answer === 'finished') throw invalidState(`Request ${id} has already finished and cannot be cancelled.`);
          // Already canceling or canceled: 204 without a body (Topaz's OpenAPI, DELETE /video/{requestId}).
          if (answer === 'already') {
            res.writeHead(204).end();
            return;
          }
          stats.cancels++;
          sendJson(res, 200, { message: 'The request was cancelled; its credits are refunded.' });
        },
      },
      // Signed links stand in for S3 pre-signed URLs: no API key.
      { method: 'PUT', path: UPLOAD, name: 'upload', kind: 'open', handle: handleUpload },
      signedFileRoute({
        path: FILE,
        name: 'file',
        signer: downloadSigner,
        file: ([id]) => ({ path: jobs.filePath(id), contentType: 'video/mp4' }),
        refuse: (res) => sendJson(res, 403, { message: 'Request has expired or the signature does not match.', errorCode: 'FORBIDDEN' }),
        onServe: () => stats.downloads++,
      }),
    ],
    authenticate: (req) => {
      const h = req.headers['x-api-key'];
      const key = Array.isArray(h) ? h[0] : h;
      if (!key || !sameSecret(key, opts.apiKey)) throw unauthorized();
    },
    takeFault: (route) => (route === 'file' ? undefined : takeFault(route)),
    noRoute: () => notFound(),
  });
  origin = await host.listen('api', api, (err) => (err instanceof TopazHttpError ? err : serverError(500)), opts.port);

  return {
    baseUrl: origin,
    apiKey: opts.apiKey,
    stats,
    faults,
    close: () => host.close(jobs),
  };
}
