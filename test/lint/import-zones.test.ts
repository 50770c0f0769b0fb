/**
 * design.md's arrows are enforced by Biome's noRestrictedImports, one zone per room (biome.jsonc).
 * A zone whose pattern never matches would pass silently, so each zone is run here on probe files
 * placed where the rule must fire (and, for contrast, on imports the design allows), in a scratch
 * folder that carries the project's own biome.jsonc; then on the real tree, which must be clean.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../../src/http/package-root.js';

const BIOME = path.join(PACKAGE_ROOT, 'node_modules', '.bin', 'biome');
const RULE = 'lint/style/noRestrictedImports';

interface Probe {
  /** Where the importing file sits, relative to the project root. */
  file: string;
  /** One statement that imports something. */
  code: string;
}

const sandboxFrom = (file: string, spec: string): Probe => ({ file, code: `export * from '${spec}';` });

/** Each must be reported: an arrow design.md forbids. */
const FORBIDDEN: Probe[] = [
  // providers/ never imports engine/, and knows nothing of the store, routes or other providers.
  { file: 'src/providers/kling/a.ts', code: "import { systemClock } from '../../engine/clock.js';" },
  { file: 'src/providers/kling/b.ts', code: "import type { Clock } from '../../engine/clock.js';" },
  { file: 'src/providers/kling/c.ts', code: "export { systemClock } from '../../engine/clock.js';" },
  { file: 'src/providers/kling/d.ts', code: "export const clock = await import('../../engine/clock.js');" },
  { file: 'src/providers/e.ts', code: "import { systemClock } from '../engine/clock.js';" },
  { file: 'src/providers/kling/f.ts', code: "import type { Store } from '../../store/types.js';" },
  { file: 'src/providers/kling/g.ts', code: "import type { Gateway } from '../../http/gateway.js';" },
  { file: 'src/providers/h.ts', code: "import type { Gateway } from '../http/gateway.js';" },
  { file: 'src/providers/kling/i.ts', code: "import { soraSize } from '../openai/mapping.js';" },
  { file: 'src/providers/http/j.ts', code: "import { klingAuth } from '../kling/auth.js';" },
  // An adapter is handed the request to send; what the catalog says about it is the engine's business.
  { file: 'src/providers/google/k.ts', code: "import { googleModels } from '../../catalog/models/google.js';" },
  { file: 'src/providers/kling/l.ts', code: "import type { ModelSpec } from '../../catalog/types.js';" },
  // http/ never calls an adapter.
  { file: 'src/http/a.ts', code: "import { KlingAdapter } from '../providers/kling/adapter.js';" },
  { file: 'src/http/openai-videos/b.ts', code: "import type { ProviderAdapter } from '../../providers/types.js';" },
  { file: 'src/http/c.ts', code: "import { Engine } from '../engine/engine.js';" },
  { file: 'src/http/d.ts', code: "import { AvailabilityChecker } from '../channels/availability.js';" },
  // http → tasks → store: routes reach repositories only through tasks/.
  { file: 'src/http/e.ts', code: "import { openStore } from '../store/index.js';" },
  { file: 'src/http/openai-videos/f.ts', code: "import type { SqlStore } from '../../store/sql-store.js';" },
  // catalog/ and contract/ import nothing with side effects.
  { file: 'src/catalog/a.ts', code: "import type { Store } from '../store/types.js';" },
  { file: 'src/catalog/models/b.ts', code: "import fs from 'node:fs';" },
  { file: 'src/catalog/c.ts', code: "import { loadConfig } from '../config.js';" },
  { file: 'src/contract/a.ts', code: "import type { ModelSpec } from '../catalog/types.js';" },
  { file: 'src/contract/b.ts', code: "import { readFile } from 'node:fs/promises';" },
  { file: 'src/contract/c.ts', code: "import pino from 'pino';" },
  // The rest of the one-way flow: http → tasks → store ← engine → channels → providers.
  { file: 'src/tasks/a.ts', code: "import type { FastifyReply } from 'fastify';" },
  { file: 'src/tasks/b.ts', code: "import type { ProviderAdapter } from '../providers/types.js';" },
  { file: 'src/store/a.ts', code: "import type { Engine } from '../engine/engine.js';" },
  { file: 'src/store/b.ts', code: "import type { TaskService } from '../tasks/service.js';" },
  { file: 'src/engine/a.ts', code: "import { KlingAdapter } from '../providers/kling/adapter.js';" },
  { file: 'src/engine/b.ts', code: "import type { Gateway } from '../http/gateway.js';" },
  { file: 'src/channels/a.ts', code: "import { openStore } from '../store/index.js';" },
  { file: 'src/channels/a2.ts', code: "import { createTask } from '../store/create-task.js';" },
  { file: 'src/webhooks/a.ts', code: "import type { Engine } from '../engine/engine.js';" },
  { file: 'src/media/a.ts', code: "import type { Store } from '../store/types.js';" },
  { file: 'src/keys/a.ts', code: "import type { Gateway } from '../http/gateway.js';" },
  { file: 'src/sandbox/kling/a.ts', code: "import type { Store } from '../../store/types.js';" },
  { file: 'src/client/a.ts', code: "import { newTaskId } from '../contract/ids.js';" },
  { file: 'src/cli/a.ts', code: "import { startGateway } from '../server.js';" },
  // The engine's start-up (its thread) never reaches the HTTP side.
  { file: 'src/engine-host/a.ts', code: "import type { Gateway } from '../http/gateway.js';" },
  { file: 'src/engine-host/b.ts', code: "import { TaskService } from '../tasks/service.js';" },
  { file: 'src/engine-host/c.ts', code: "import { WebhookDispatcher } from '../webhooks/dispatcher.js';" },
  // Nothing imports sandbox/ but the start-up code that turns sandbox mode on.
  sandboxFrom('src/http/s.ts', '../sandbox/index.js'),
  sandboxFrom('src/tasks/s.ts', '../sandbox/index.js'),
  sandboxFrom('src/store/s.ts', '../sandbox/index.js'),
  sandboxFrom('src/engine/s.ts', '../sandbox/index.js'),
  sandboxFrom('src/channels/s.ts', '../sandbox/index.js'),
  sandboxFrom('src/providers/kling/s.ts', '../../sandbox/index.js'),
  sandboxFrom('src/catalog/s.ts', '../sandbox/index.js'),
  sandboxFrom('src/contract/s.ts', '../sandbox/index.js'),
  sandboxFrom('src/media/s.ts', '../sandbox/fetch-input.js'),
  sandboxFrom('src/webhooks/s.ts', '../sandbox/index.js'),
  sandboxFrom('src/keys/s.ts', '../sandbox/index.js'),
  sandboxFrom('src/config.ts', './sandbox/index.js'),
  sandboxFrom('src/main.ts', './sandbox/index.js'),
];

/** Each must pass: the arrows the design draws, so a zone cannot be so broad that it forbids the design itself. */
const ALLOWED: Probe[] = [
  { file: 'src/engine-host/a.ts', code: "import { Engine } from '../engine/engine.js';" },
  { file: 'src/engine-host/b.ts', code: "import { isDocumentationUrl } from '../sandbox/example-media.js';" },
  { file: 'src/providers/kling/a.ts', code: "import { createTransport } from '../http/index.js';" },
  { file: 'src/providers/kling/b.ts', code: "import type { ProviderAdapter } from '../types.js';" },
  { file: 'src/providers/kling/c.ts', code: "import type { VideoRequest } from '../../contract/video-request.js';" },
  { file: 'src/providers/kling/d.ts', code: "import { klingAuth } from './auth.js';" },
  { file: 'src/providers/e.ts', code: "import { klingManifest } from './kling/manifest.js';" },
  { file: 'src/http/a.ts', code: "import type { TaskService } from '../tasks/service.js';" },
  // Domain types and the store-unavailable check are data, not repositories.
  { file: 'src/http/b.ts', code: "import { isTerminal, type Task } from '../store/types.js';" },
  { file: 'src/http/c.ts', code: "import { isStoreUnavailable } from '../store/errors.js';" },
  { file: 'src/tasks/a.ts', code: "import type { Store } from '../store/types.js';" },
  { file: 'src/engine/a.ts', code: "import type { ProviderAdapter } from '../providers/types.js';" },
  { file: 'src/engine/b.ts', code: "import type { Store } from '../store/types.js';" },
  { file: 'src/channels/a.ts', code: "import type { ProviderAdapter } from '../providers/types.js';" },
  // Domain types are data: channels/ reads a task and the callback repository's shape (biome.jsonc says why).
  { file: 'src/channels/b.ts', code: "import { PRE_CHANNEL_PIN, type Task } from '../store/types.js';" },
  { file: 'src/catalog/models/a.ts', code: "import type { Operation } from '../../contract/operations.js';" },
  { file: 'src/contract/a.ts', code: "import { randomBytes } from 'node:crypto';" },
  { file: 'src/cli/a.ts', code: "import { Vidgate } from '../client/index.js';" },
  { file: 'src/sandbox/a.ts', code: "import { manifestOf } from '../providers/registry.js';" },
  sandboxFrom('src/server.ts', './sandbox/index.js'),
  sandboxFrom('src/sandbox/kling/b.ts', '../common/base.js'),
];

interface Diagnostic {
  category: string;
  message: string;
  location: { path: string | { file: string } };
}

/** Runs the zones rule over `dir` (with the project's biome.jsonc) and returns its diagnostics, by file. */
function zoneDiagnostics(dir: string, args: string[] = []): Map<string, Diagnostic[]> {
  const run = spawnSync(BIOME, ['lint', '--reporter=json', `--only=${RULE.replace('lint/', '')}`, '--max-diagnostics=none', ...args, '.'], { cwd: dir, encoding: 'utf8' });
  assert.ok(run.status === 0 || run.status === 1, `biome failed to run (exit ${run.status}): ${run.stderr}`);
  const report = JSON.parse(run.stdout) as { diagnostics: Diagnostic[] };
  const byFile = new Map<string, Diagnostic[]>();
  for (const d of report.diagnostics) {
    assert.equal(d.category, RULE, `unexpected diagnostic: ${JSON.stringify(d)}`);
    const file = typeof d.location.path === 'string' ? d.location.path : d.location.path.file;
    byFile.set(file, [...(byFile.get(file) ?? []), d]);
  }
  return byFile;
}

function writeProbes(root: string, probes: Probe[]): void {
  fs.copyFileSync(path.join(PACKAGE_ROOT, 'biome.jsonc'), path.join(root, 'biome.jsonc'));
  for (const p of probes) {
    fs.mkdirSync(path.join(root, path.dirname(p.file)), { recursive: true });
    fs.writeFileSync(path.join(root, p.file), `${p.code}\n`);
  }
}

describe('import zones (design.md arrows in biome.jsonc)', () => {
  let forbiddenDir: string;
  let allowedDir: string;
  before(() => {
    forbiddenDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-zones-forbidden-'));
    allowedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-zones-allowed-'));
    writeProbes(forbiddenDir, FORBIDDEN);
    writeProbes(allowedDir, ALLOWED);
  });
  after(() => {
    fs.rmSync(forbiddenDir, { recursive: true, force: true });
    fs.rmSync(allowedDir, { recursive: true, force: true });
  });

  it('reports every import that goes against an arrow, with the reason', () => {
    const found = zoneDiagnostics(forbiddenDir, ['--vcs-enabled=false']);
    const missed = FORBIDDEN.filter((p) => !found.has(p.file)).map((p) => `${p.file}: ${p.code}`);
    assert.deepEqual(missed, [], 'these imports should have been refused');
    for (const [file, diagnostics] of found) assert.match(diagnostics[0].message, /design\.md|SDK|HTTP API/, `${file}: the message should say which rule of the design it breaks`);
    assert.equal(found.size, FORBIDDEN.length);
  });

  it('lets through the arrows the design draws', () => {
    const found = zoneDiagnostics(allowedDir, ['--vcs-enabled=false']);
    assert.deepEqual([...found.keys()], [], `refused: ${JSON.stringify([...found.values()].flat().map((d) => d.message))}`);
  });

  it('finds nothing in the real tree', () => {
    const found = zoneDiagnostics(PACKAGE_ROOT);
    const all = [...found.entries()].map(([file, ds]) => `${file}: ${ds.map((d) => d.message).join('; ')}`);
    assert.deepEqual(all, []);
  });
});
