/** Shared scaffolding for the per-provider end-to-end tests in test/e2e/<provider>-gateway.test.ts. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ffprobeFile } from './ffprobe.js';
import type { TestGateway } from './gateway.js';

/** POSTs a generation request that must be accepted (200) and returns the new task's id. */
export async function createTask(gw: TestGateway, body: Record<string, unknown>): Promise<string> {
  const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { id: string }).id;
}

/** Downloads a completed task's video_url into the gateway's data dir as `<name>.mp4` and probes it. */
export async function probeTaskVideo(gw: TestGateway, done: Record<string, any>, name: string) {
  const res = await fetch(done.video_url);
  assert.equal(res.status, 200);
  const file = path.join(gw.dataDir, `${name}.mp4`);
  fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  return ffprobeFile(file);
}

/** Each body must be refused with 400 and the given code and param (the caller checks the upstream saw nothing). */
export async function expectRefused(gw: TestGateway, cases: [Record<string, unknown>, string, string][]): Promise<void> {
  for (const [body, code, param] of cases) {
    const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body });
    assert.equal(res.status, 400, JSON.stringify(body).slice(0, 120));
    const err = ((await res.json()) as any).error;
    assert.equal(err.code, code, JSON.stringify(err));
    assert.equal(err.param, param);
  }
}
