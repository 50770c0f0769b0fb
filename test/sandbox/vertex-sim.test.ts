/**
 * The Vertex AI simulator over raw HTTP: Google's OAuth2 token endpoint checks JWT-bearer grants
 * (signature, issuer, audience, iat/exp window, scope) and answers RFC 6749 errors; API calls need a
 * live Bearer token (401 UNAUTHENTICATED otherwise); operations are named under the publisher
 * model and read with :fetchPredictOperation; Vertex's own parameters are checked; faults answer in
 * Google's envelope; a restart on the same work dir keeps the key, the tokens and the jobs.
 */
import assert from 'node:assert/strict';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startVertexSimulator, type VertexSimulator } from '../../src/sandbox/vertex/index.js';
import { tempDir } from './media-helpers.js';

const PROJECT = 'sim-project';
const MODEL_PATH = `/v1/projects/${PROJECT}/locations/us-central1/publishers/google/models/veo-3.1-generate-001`;
let sim: VertexSimulator;
let workDir: string;
let cleanup: () => Promise<void>;
let token: string;

type Json = Record<string, any>;
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** A JWT-bearer assertion as google-auth-library signs it (RS256), with claims to vary. */
function assertion(claims: Json = {}, privateKey?: string): string {
  const key = JSON.parse(sim.serviceAccountJson) as { client_email: string; private_key: string };
  const now = Math.floor(Date.now() / 1000);
  const head = b64({ alg: 'RS256', typ: 'JWT' });
  const body = b64({ iss: key.client_email, scope: 'https://www.googleapis.com/auth/cloud-platform', aud: 'https://oauth2.googleapis.com/token', iat: now, exp: now + 3600, ...claims });
  const sig = createSign('RSA-SHA256')
    .update(`${head}.${body}`)
    .sign(privateKey ?? key.private_key)
    .toString('base64url');
  return `${head}.${body}.${sig}`;
}

async function grant(jwt: string, grantType = 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
  const res = await fetch(sim.tokenUri, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: grantType, assertion: jwt }) });
  return { status: res.status, json: (await res.json()) as Json };
}

async function api(method: string, path: string, body?: unknown, bearer: string | null = token) {
  const res = await fetch(`${sim.baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: (text ? JSON.parse(text) : undefined) as Json };
}

const create = (parameters: Json = {}, prompt = 'a red kite') => api('POST', `${MODEL_PATH}:predictLongRunning`, { instances: [{ prompt }], parameters: { durationSeconds: 4, ...parameters } });
const fetchOp = (operationName: unknown) => api('POST', `${MODEL_PATH}:fetchPredictOperation`, { operationName });

async function untilDone(name: string): Promise<Json> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { status, json } = await fetchOp(name);
    assert.equal(status, 200, JSON.stringify(json));
    if (json.done) return json;
    assert.ok(Date.now() < deadline);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  ({ dir: workDir, cleanup } = await tempDir('vidgate-vertex-sim-'));
  sim = await startVertexSimulator({ workDir, speed: 200, project: PROJECT });
  const first = await grant(assertion());
  assert.equal(first.status, 200, JSON.stringify(first.json));
  token = first.json.access_token;
});
after(async () => {
  await sim.close();
  await cleanup();
});

describe('Vertex simulator: the token endpoint', () => {
  it('issues a Bearer token with an expiry for a valid assertion', async () => {
    const { json } = await grant(assertion());
    assert.equal(json.token_type, 'Bearer');
    assert.match(json.access_token, /^ya29\./);
    assert.ok(json.expires_in > 3000 && json.expires_in <= 3600);
  });

  it('refuses what Google refuses, with RFC 6749 errors', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, Promise<{ status: number; json: Json }>, string][] = [
      ['signed by another key', grant(assertion({}, other)), 'invalid_grant'],
      ['an unknown issuer', grant(assertion({ iss: 'someone@else.iam.gserviceaccount.com' })), 'invalid_grant'],
      ['an expired assertion', grant(assertion({ iat: now - 7200, exp: now - 3600 })), 'invalid_grant'],
      ['an assertion longer than an hour', grant(assertion({ exp: now + 7200 })), 'invalid_grant'],
      ['another audience', grant(assertion({ aud: 'https://example.com/token' })), 'invalid_grant'],
      ['no cloud-platform scope', grant(assertion({ scope: 'https://www.googleapis.com/auth/drive' })), 'invalid_scope'],
      ['another grant type', grant(assertion(), 'client_credentials'), 'unsupported_grant_type'],
      ['a malformed assertion', grant('not.a-jwt'), 'invalid_request'],
    ];
    for (const [what, answer, error] of cases) {
      const { status, json } = await answer;
      assert.equal(status, 400, what);
      assert.equal(json.error, error, what);
      assert.equal(typeof json.error_description, 'string', what);
    }
  });
});

describe('Vertex simulator: the API', () => {
  it('401 UNAUTHENTICATED without a token, with an unknown one, and once it expired', async () => {
    assert.equal((await create({}, 'x')).status, 200, 'the live token works');
    for (const [bearer, reason] of [
      [null, 'CREDENTIALS_MISSING'],
      ['ya29.unknown', 'ACCESS_TOKEN_TYPE_UNSUPPORTED'],
    ] as const) {
      const refused = await api('POST', `${MODEL_PATH}:predictLongRunning`, { instances: [{ prompt: 'x' }] }, bearer);
      assert.equal(refused.status, 401);
      assert.equal(refused.json.error.status, 'UNAUTHENTICATED');
      assert.equal(refused.json.error.details[0].reason, reason);
    }
    const { json } = await grant(assertion());
    const shortLived = json.access_token as string;
    sim.faults.expireTokens();
    const expired = await api('POST', `${MODEL_PATH}:predictLongRunning`, { instances: [{ prompt: 'x' }] }, shortLived);
    assert.equal(expired.status, 401);
    assert.equal(expired.json.error.details[0].reason, 'ACCESS_TOKEN_EXPIRED');
    token = (await grant(assertion())).json.access_token;
  });

  it('another project is 403 PERMISSION_DENIED; a preview or retired model is 404 naming the publisher model', async () => {
    const denied = await api('POST', '/v1/projects/other/locations/us-central1/publishers/google/models/veo-3.1-generate-001:predictLongRunning', { instances: [{ prompt: 'x' }] });
    assert.equal(denied.status, 403);
    assert.equal(denied.json.error.status, 'PERMISSION_DENIED');
    for (const model of ['veo-3.1-generate-preview', 'veo-3.0-generate-001', 'veo-2.0-generate-001']) {
      const gone = await api('POST', `/v1/projects/${PROJECT}/locations/us-central1/publishers/google/models/${model}:predictLongRunning`, { instances: [{ prompt: 'x' }] });
      assert.equal(gone.status, 404, model);
      assert.match(gone.json.error.message, /^Publisher Model `projects\/.+` was not found/);
    }
  });

  it('checks generateAudio, storageUri and the Gemini parameters; fetchPredictOperation needs an operation of this model', async () => {
    assert.equal((await create({ generateAudio: 'no' })).status, 400);
    assert.equal((await create({ storageUri: 'https://bucket/x' })).status, 400);
    assert.equal((await create({ durationSeconds: 5 })).status, 400);
    assert.equal((await fetchOp(undefined)).status, 400);
    assert.equal((await fetchOp(`projects/${PROJECT}/locations/us-central1/publishers/google/models/veo-3.1-generate-001/operations/00000000-0000-0000-0000-000000000000`)).status, 404);
    const { json } = await create();
    const underAnother = json.name.replace('veo-3.1-generate-001', 'veo-3.1-fast-generate-001');
    assert.equal((await fetchOp(underAnother)).status, 404, 'an operation is read under its own model only');
  });

  it('an image declared under an unregistered type name (image/jpg) is 400 INVALID_ARGUMENT, as on the Gemini API', async () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]).toString('base64');
    const refused = await api('POST', `${MODEL_PATH}:predictLongRunning`, { instances: [{ prompt: 'x', image: { bytesBase64Encoded: jpeg, mimeType: 'image/jpg' } }], parameters: { durationSeconds: 4 } });
    assert.equal(refused.status, 400, JSON.stringify(refused.json));
    assert.equal(refused.json.error.status, 'INVALID_ARGUMENT');
    assert.equal(refused.json.error.message, 'Unsupported MIME type: image/jpg');
  });

  it('answers inline base64, or gs:// objects the Storage JSON API serves to a Bearer token only', async () => {
    const inline = await untilDone((await create({ generateAudio: false })).json.name);
    assert.equal(inline.response['@type'], 'type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse');
    assert.ok(inline.response.videos[0].bytesBase64Encoded.length > 1000);
    const stored = await untilDone((await create({ storageUri: 'gs://sim-bucket/out/' })).json.name);
    const uri: string = stored.response.videos[0].gcsUri;
    const object = encodeURIComponent(uri.replace('gs://sim-bucket/', ''));
    const meta = await api('GET', `/storage/v1/b/sim-bucket/o/${object}`);
    assert.equal(meta.json.contentType, 'video/mp4');
    const media = await fetch(`${sim.baseUrl}/storage/v1/b/sim-bucket/o/${object}?alt=media`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(media.status, 200);
    assert.equal(media.headers.get('content-type'), 'video/mp4');
    assert.equal((await fetch(`${sim.baseUrl}/storage/v1/b/sim-bucket/o/${object}?alt=media`)).status, 401);
    assert.equal((await api('GET', `/storage/v1/b/other-bucket/o/${object}?alt=media`)).status, 404);
  });

  it('injected faults answer in Google’s envelope; job faults end the operation', async () => {
    sim.faults.rateLimitNext(1, { only: 'create', retryAfterSeconds: 2 });
    const limited = await create();
    assert.equal(limited.status, 429);
    assert.equal(limited.json.error.status, 'RESOURCE_EXHAUSTED');
    assert.equal(limited.headers.get('retry-after'), '2');
    sim.faults.serverErrorNext(1, { only: 'poll', status: 503 });
    const { json } = await create();
    assert.equal((await fetchOp(json.name)).status, 503);
    sim.faults.failNextJob();
    const failed = await untilDone((await create()).json.name);
    assert.equal(failed.error.status, 'INTERNAL');
    const filtered = await untilDone((await create({}, 'nope [sim:rai]')).json.name);
    assert.equal(filtered.response.raiMediaFilteredCount, 1);
    assert.equal(filtered.response.videos, undefined);
  });

  it('a restart on the same work dir is the same upstream: key, tokens and jobs survive', async () => {
    const keyBefore = sim.serviceAccountJson;
    const { json } = await create({}, 'survives a restart');
    await sim.close();
    sim = await startVertexSimulator({ workDir, speed: 200, project: PROJECT });
    assert.equal(JSON.parse(sim.serviceAccountJson).private_key, JSON.parse(keyBefore).private_key);
    const done = await untilDone(json.name);
    assert.ok(done.response.videos[0].bytesBase64Encoded, 'the job created before the restart completes with the old token');
  });
});
