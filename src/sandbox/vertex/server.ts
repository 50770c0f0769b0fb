/**
 * A Vertex AI (Veo) simulator: the Gemini simulator's jobs, validation, rendering and faults behind
 * Vertex's own face — OAuth2 bearer tokens from its token endpoint, `:predictLongRunning` on the
 * publisher model, `:fetchPredictOperation` polls, `generateAudio`, results inline (base64) or
 * written to a Cloud Storage prefix (`storageUri`) and read back through a minimal Storage JSON API.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { SimHost, type SimCall } from '../common/sim-host.js';
import { prepareSimulator, readJsonBody, scaledSeconds, sendJson } from '../http-util.js';
import { GoogleHttpError, invalidArgument, notFound, serverError } from '../google/errors.js';
import { createFaultFromPrompt, FaultState, outcomeFromPrompt, type GoogleRoute } from '../google/faults.js';
import { VeoJobs, type VeoJobState } from '../google/jobs.js';
import { parseCreateRequest } from '../google/validate.js';
import { noSuchObject, OAuthError, permissionDenied, publisherModelNotFound, quotaExceeded, unauthenticated } from './errors.js';
import { findVertexModel } from './models.js';
import { serviceAccountJson, serviceAccountOf, TokenIssuer } from './oauth.js';

export interface VertexSimulatorOptions {
  host?: string;
  port?: number;
  speed?: number;
  workDir: string;
  /** The project the service account belongs to (default vidgate-sandbox). */
  project?: string;
  /** Access-token lifetime, real seconds (default 3600, as Google). */
  tokenTtlSeconds?: number;
}

export interface VertexSimulatorStats {
  creates: number;
  polls: number;
  downloads: number;
  /** Access tokens issued by the token endpoint. */
  tokenGrants: number;
  requests: number;
  faulted: number;
}

/** The Gemini simulator's fault controls plus expiring every issued token. */
export class VertexFaultState extends FaultState {
  readonly #expire: () => void;
  constructor(expire: () => void) {
    super();
    this.#expire = expire;
  }
  /** Every access token issued so far expires now: the next call answers 401 until a new one is minted. */
  expireTokens(): void {
    this.#expire();
  }
}

export interface VertexSimulator {
  /** e.g. http://127.0.0.1:PORT; clients append /v1/projects/... */
  baseUrl: string;
  /** The token endpoint the service-account key names. */
  tokenUri: string;
  /** A service-account JSON key (as the console hands it out) whose token_uri is this simulator. */
  serviceAccountJson: string;
  project: string;
  stats: VertexSimulatorStats;
  faults: VertexFaultState;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;
const MODEL = '/(v1|v1beta1)/(projects/([^/:]+)/locations/([^/:]+)/publishers/google/models/([^/:]+))';
const CREATE_PATH = new RegExp(`^${MODEL}:predictLongRunning$`);
const POLL_PATH = new RegExp(`^${MODEL}:fetchPredictOperation$`);
const OBJECT_PATH = /^\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/;
const TOKEN_PATH = '/token';
const RESPONSE_TYPE = 'type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse';
/** Where a result object lives under the job's storageUri: {prefix}{operation id}/sample_{i}.mp4. */
const RESULT_OBJECT = /^(.*?)([A-Za-z0-9-]+)\/sample_(\d+)\.mp4$/;

/** gs://bucket/prefix → bucket and a prefix ending in '/' (or empty). */
function splitStorageUri(uri: string): { bucket: string; prefix: string } | undefined {
  const m = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,220}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (!m) return undefined;
  const prefix = m[2] ?? '';
  return { bucket: m[1], prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` };
}

function bearerOf(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

export async function startVertexSimulator(opts: VertexSimulatorOptions): Promise<VertexSimulator> {
  const speed = await prepareSimulator(opts, {});
  const project = opts.project ?? 'vidgate-sandbox';
  const sa = serviceAccountOf(opts.workDir, project);
  const issuer = new TokenIssuer(opts.workDir, sa, opts.tokenTtlSeconds ?? 3600);
  const faults = new VertexFaultState(() => issuer.expireAll());
  const jobs = new VeoJobs(opts.workDir, speed);
  const stats: VertexSimulatorStats = {
    creates: 0,
    polls: 0,
    downloads: 0,
    requests: 0,
    faulted: 0,
    get tokenGrants() {
      return issuer.grants;
    },
  };
  const seenOnceMarkers = new Set<string>();
  const host = new SimHost(opts, stats, faults);
  const defaultRetryAfter = scaledSeconds(30, speed);

  function checkProject(resource: string, pathProject: string): void {
    if (pathProject !== project) throw permissionDenied(resource);
  }

  async function handleCreate({ req, res, params: [, resource, pathProject, , modelId] }: SimCall): Promise<void> {
    checkProject(resource, pathProject);
    const model = faults.isRetired(modelId) ? undefined : findVertexModel(modelId);
    if (!model) throw publisherModelNotFound(resource);
    const body = (await readJsonBody(req, MAX_BODY_BYTES, (why, err) =>
      why === 'too-large' ? invalidArgument(`Request payload size exceeds the limit: ${MAX_BODY_BYTES} bytes.`) : invalidArgument(`Invalid JSON payload received. ${err.message}`),
    )) as { instances?: Array<{ prompt?: unknown }>; parameters?: Record<string, unknown> };
    const markerFault = createFaultFromPrompt(String(body?.instances?.[0]?.prompt ?? ''), seenOnceMarkers);
    if (markerFault) {
      stats.faulted++;
      throw markerFault === 429 ? quotaExceeded(model.id, defaultRetryAfter) : serverError(503);
    }
    // Vertex's own parameters; the rest is the Gemini API's body, validated the same way.
    const { generateAudio, storageUri, ...parameters } = (typeof body?.parameters === 'object' && body.parameters !== null ? body.parameters : {}) as Record<string, unknown>;
    if (generateAudio !== undefined && typeof generateAudio !== 'boolean') throw invalidArgument(`Invalid value at 'parameters.generateAudio' (TYPE_BOOL), ${JSON.stringify(generateAudio)}`);
    if (storageUri !== undefined && (typeof storageUri !== 'string' || !splitStorageUri(storageUri))) {
      throw invalidArgument(`storageUri must be a Cloud Storage URI such as gs://bucket/prefix/; got ${JSON.stringify(storageUri)}.`);
    }
    const spec = parseCreateRequest({ ...body, ...(body?.parameters === undefined ? {} : { parameters }) }, model);
    const outcome = outcomeFromPrompt(spec.prompt) ?? faults.takeJobOutcome();
    const id = jobs.create(model, { ...spec, generateAudio, storageUri: storageUri as string | undefined }, outcome, resource, randomUUID());
    stats.creates++;
    sendJson(res, 200, { name: `${resource}/operations/${id}` });
  }

  async function operationView(name: string, opId: string, state: VeoJobState): Promise<object> {
    switch (state.kind) {
      case 'running':
        return { name };
      case 'failed':
        return { name, done: true, error: state.error };
      case 'rai':
        return { name, done: true, response: { '@type': RESPONSE_TYPE, raiMediaFilteredCount: state.reasons.length, raiMediaFilteredReasons: state.reasons } };
      case 'done': {
        const storage = splitStorageUri(jobs.specOf(opId)?.storageUri ?? '');
        const videos = storage
          ? state.fileIds.map((_, i) => ({ gcsUri: `gs://${storage.bucket}/${storage.prefix}${opId}/sample_${i}.mp4`, mimeType: 'video/mp4' }))
          : await Promise.all(state.fileIds.map(async (fileId) => ({ bytesBase64Encoded: (await readFile(jobs.filePath(fileId)!)).toString('base64'), mimeType: 'video/mp4' })));
        return { name, done: true, response: { '@type': RESPONSE_TYPE, raiMediaFilteredCount: 0, videos } };
      }
    }
  }

  async function handlePoll({ req, res, params: [, resource, pathProject] }: SimCall): Promise<void> {
    checkProject(resource, pathProject);
    const body = (await readJsonBody(req, 64 * 1024, (_why, err) => invalidArgument(`Invalid JSON payload received. ${err.message}`))) as { operationName?: unknown };
    const name = body?.operationName;
    if (typeof name !== 'string' || name === '') throw invalidArgument('operationName is required.');
    const prefix = `${resource}/operations/`;
    const opId = name.startsWith(prefix) ? name.slice(prefix.length) : '';
    const state = opId ? jobs.state(opId, (job) => job.owner === resource) : undefined;
    if (!state) throw notFound(`Operation ${name} not found.`);
    stats.polls++;
    sendJson(res, 200, await operationView(name, opId, state));
  }

  /** The Storage JSON API's object GET: metadata, or the bytes with alt=media. */
  async function handleObject({ res, url, params: [bucket, object] }: SimCall): Promise<void> {
    const m = RESULT_OBJECT.exec(object);
    const spec = m ? jobs.specOf(m[2]) : undefined;
    const storage = splitStorageUri(spec?.storageUri ?? '');
    const state = m && storage && storage.bucket === bucket && storage.prefix === m[1] ? jobs.state(m[2], () => true) : undefined;
    const fileId = state?.kind === 'done' ? state.fileIds[Number(m![3])] : undefined;
    const path = fileId ? jobs.filePath(fileId) : undefined;
    if (!path) throw noSuchObject(bucket, object);
    const { size } = await stat(path);
    if (url.searchParams.get('alt') !== 'media') {
      sendJson(res, 200, { kind: 'storage#object', bucket, name: object, contentType: 'video/mp4', size: String(size) });
      return;
    }
    stats.downloads++;
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': size });
    createReadStream(path).pipe(res);
  }

  /** Google's OAuth2 token endpoint (form-encoded JWT-bearer grants). */
  async function handleToken({ req, res }: SimCall): Promise<void> {
    const form = (await readJsonBody(
      req,
      64 * 1024,
      () => new OAuthError(400, 'invalid_request', 'The request body could not be read.'),
      (text) => new URLSearchParams(text),
    )) as URLSearchParams;
    sendJson(res, 200, issuer.grant(form), { 'cache-control': 'no-store' });
  }

  const api = host.router<GoogleRoute | 'token'>({
    routes: [
      { method: 'POST', path: CREATE_PATH, name: 'create', handle: handleCreate },
      { method: 'POST', path: POLL_PATH, name: 'poll', handle: handlePoll },
      { method: 'GET', path: OBJECT_PATH, name: 'download', handle: handleObject },
      { method: 'POST', path: TOKEN_PATH, name: 'token', kind: 'open', handle: handleToken },
    ],
    path: (url) => {
      try {
        return decodeURIComponent(url.pathname);
      } catch {
        throw notFound('Method not found.');
      }
    },
    authenticate: (req) => {
      const token = bearerOf(req);
      if (!token) throw unauthenticated('missing');
      const check = issuer.check(token);
      if (check !== 'ok') throw unauthenticated(check);
    },
    takeFault: (route, { params }) => {
      const fault = route === 'token' ? undefined : faults.takeRequestFault(route);
      if (!fault) return undefined;
      return fault.status === 429 ? quotaExceeded(params[4] ?? 'storage', fault.retryAfterSeconds ?? defaultRetryAfter) : serverError(fault.status);
    },
    noRoute: () => notFound('Method not found.'),
  });
  const baseUrl = await host.listen('api', api, (err) => (err instanceof GoogleHttpError || err instanceof OAuthError ? err : serverError(500)), opts.port);
  const tokenUri = `${baseUrl}${TOKEN_PATH}`;

  return {
    baseUrl,
    tokenUri,
    serviceAccountJson: serviceAccountJson(sa, tokenUri),
    project,
    stats,
    faults,
    close: () => host.close(jobs),
  };
}
