import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenPersisted, persistedSecret } from '../common/state.js';
import { closeServer, createSimServer, createUrlSigner, isReadMethod, prepareSimulator, readBody, readJsonBody, requestOrigin, sameSecret, scaledSeconds, sendJson, serveSignedFile, sleep } from '../http-util.js';
import { insufficientCredits, invalidInput, invalidState, notFound, rateLimited, serverError, TopazHttpError, unauthorized } from './errors.js';
import { FaultState, type TopazFaultControls, type TopazRoute } from './faults.js';
import { TopazJobs } from './jobs.js';
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
const SIGNED_URL_TTL_MS = 7 * 24 * 3600_000;
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
  const signer = createUrlSigner(SIGNED_URL_TTL_MS, persistedSecret(opts.workDir, 'url-signing'));
  const stats: TopazSimulatorStats = { creates: 0, accepts: 0, uploads: 0, completes: 0, polls: 0, downloads: 0, cancels: 0, requests: 0, faulted: 0 };
  const closing = new AbortController();
  const defaultRetryAfter = scaledSeconds(20, speed);
  let origin = '';
  const publicBase = (req: IncomingMessage) => requestOrigin(req, origin);

  function authenticate(req: IncomingMessage): void {
    const h = req.headers['x-api-key'];
    const key = Array.isArray(h) ? h[0] : h;
    if (!key || !sameSecret(key, opts.apiKey)) throw unauthorized();
  }

  function fault(route: TopazRoute): void {
    const f = faults.takeRequestFault(route);
    if (!f) return;
    stats.faulted++;
    throw f.status === 429 ? rateLimited(f.retryAfterSeconds ?? defaultRetryAfter) : serverError(f.status);
  }

  function jobOf(id: string) {
    const job = jobs.get(id);
    if (!job) throw notFound(`Request ${id} not found.`);
    return job;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests++;
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const path = url.pathname;
    const method = req.method ?? 'GET';

    // Signed links stand in for S3 pre-signed URLs: no API key.
    const file = FILE.exec(path);
    if (file && isReadMethod(req)) {
      const refuse = () => sendJson(res, 403, { message: 'Request has expired or the signature does not match.', errorCode: 'FORBIDDEN' });
      return serveSignedFile(req, res, { url, signer, file: jobs.filePath(file[1]), contentType: 'video/mp4' }, refuse, () => stats.downloads++);
    }
    const upload = UPLOAD.exec(path);
    if (upload && method === 'PUT') {
      if (signer.verify(path, url.searchParams) !== 'ok') {
        req.resume();
        sendJson(res, 403, { message: 'The upload URL has expired or its signature does not match.', errorCode: 'FORBIDDEN' });
        return;
      }
      await sleep(faults.latencyMs, closing.signal);
      fault('upload');
      const job = jobOf(upload[1]);
      const partNum = Number(upload[2]);
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
      return;
    }

    const route: [TopazRoute, string] | undefined = (() => {
      let m: RegExpExecArray | null;
      if (CREATE.test(path) && method === 'POST') return ['create', ''];
      if ((m = ACCEPT.exec(path)) && method === 'PATCH') return ['accept', m[1]];
      if ((m = COMPLETE.exec(path)) && method === 'PATCH') return ['complete', m[1]];
      if ((m = STATUS.exec(path)) && method === 'GET') return ['status', m[1]];
      if ((m = REQUEST.exec(path)) && method === 'DELETE') return ['cancel', m[1]];
      return undefined;
    })();
    if (!route) throw notFound();
    await sleep(faults.latencyMs, closing.signal);
    authenticate(req);
    fault(route[0]);
    const [name, id] = route;

    if (name === 'create') {
      const spec = parseCreateRequest(await readJson(req));
      const created = jobs.create(spec);
      stats.creates++;
      sendJson(res, 200, created);
      return;
    }
    const job = jobOf(id);
    if (name === 'cancel') {
      if (jobs.cancel(job) === 'finished') throw invalidState(`Request ${id} has already finished and cannot be cancelled.`);
      stats.cancels++;
      sendJson(res, 200, { message: 'The request was cancelled; its credits are refunded.' });
      return;
    }
    if (name === 'accept') {
      if (faults.takeCreditsShortfall()) throw insufficientCredits(job.estimates.cost[1]);
      const count = jobs.accept(job);
      stats.accepts++;
      const urls = Array.from({ length: count }, (_, i) => `${publicBase(req)}${signer.sign(`/_sim/uploads/${id}/${i + 1}`)}`);
      sendJson(res, 200, { uploadId: `2~${id.replace(/-/g, '')}`, urls });
      return;
    }
    if (name === 'complete') {
      const body = await readJson(req);
      const results = (body as { uploadResults?: unknown }).uploadResults;
      if (!Array.isArray(results) || results.length === 0) throw invalidInput('uploadResults', 'is required (one {partNum, eTag} per uploaded part)', 'missing');
      const parsed = results.map((r, i) => {
        const o = r as { partNum?: unknown; eTag?: unknown };
        if (typeof o?.partNum !== 'number' || typeof o.eTag !== 'string') throw invalidInput(`uploadResults.${i}`, 'needs partNum (number) and eTag (string)');
        return { partNum: o.partNum, eTag: o.eTag };
      });
      jobs.complete(job, parsed, faults.takeJobOutcome());
      stats.completes++;
      sendJson(res, 200, { message: 'Upload complete. The request is queued for processing.' });
      return;
    }
    stats.polls++;
    sendJson(res, 200, jobs.view(job, (fileId) => `${publicBase(req)}${signer.sign(`/_sim/files/${fileId}.mp4`)}`));
  }

  const server = createSimServer(handle, (err) => (err instanceof TopazHttpError ? err : serverError(500)));
  origin = await listenPersisted(server, opts.workDir, 'api', opts.host ?? '127.0.0.1', opts.port);

  return {
    baseUrl: origin,
    apiKey: opts.apiKey,
    stats,
    faults,
    async close() {
      closing.abort();
      await Promise.all([closeServer(server), jobs.close()]);
    },
  };
}
