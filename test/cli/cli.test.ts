import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ffprobeFile } from '../helpers/ffprobe.js';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { solidImage, tempDir } from '../sandbox/media-helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(root, 'src/cli/main.ts');
const execFileP = promisify(execFile);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI from source (the bin runs the same code, built) with a clean environment. */
/** tsx by URL: a run from another folder (cwd) cannot resolve the bare name. */
const TSX = import.meta.resolve('tsx');

function vidgate(args: string[], env: Record<string, string> = {}, cwd = root): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const noStackTrace = (r: Run) => assert.doesNotMatch(r.stderr + r.stdout, /^\s+at .+\(.+:\d+:\d+\)$/m, 'no stack trace');

describe('vidgate CLI against a real gateway', { timeout: 300_000 }, () => {
  let gw: TestGateway;
  let env: Record<string, string>;
  let work: Awaited<ReturnType<typeof tempDir>>;

  before(async () => {
    gw = await startTestGateway();
    env = { VIDGATE_BASE_URL: gw.url, VIDGATE_API_KEY: gw.adminKey };
    work = await tempDir('vidgate-cli-');
  });
  after(async () => {
    await gw.close();
    await work.cleanup();
  });

  it('--help on every command, and an overview', async () => {
    const overview = await vidgate(['--help']);
    assert.equal(overview.code, 0);
    const commands = ['models', 'generate', 'status', 'wait', 'cancel', 'download', 'tasks'];
    for (const c of commands) assert.match(overview.stdout, new RegExp(`^  ${c} `, 'm'));
    for (const c of commands) {
      const r = await vidgate([c, '--help']);
      assert.equal(r.code, 0, `${c} --help: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage: vidgate ${c}`));
      assert.match(r.stdout, /--base-url URL/);
    }
    const gen = await vidgate(['generate', '--help']);
    for (const flag of ['--model', '--prompt', '--duration', '--aspect-ratio', '--resolution', '--audio', '--image', '--end-image', '--video', '--output', '--json'])
      assert.ok(gen.stdout.includes(flag), `generate --help lists ${flag}`);
  });

  it('mistyped commands exit 2 with a pointer to --help', async () => {
    for (const args of [
      ['frobnicate'],
      ['generate', '--prompt', 'x'],
      ['generate', '--model', 'veo3.1-fast', '--bogus'],
      ['status'],
      ['generate', '--model', 'veo3.1-fast', '--duration', 'long'],
      ['generate', '--model', 'veo3.1-fast', '--image', '/nonexistent.png'],
      ['tasks', '--status', 'done'],
    ]) {
      const r = await vidgate(args, env);
      assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.stderr}`);
      assert.match(r.stderr, /^vidgate: .+\nRun 'vidgate .*--help' for usage\.\n$/);
      noStackTrace(r);
    }
  });

  it('an empty ID (`vidgate status "$TASK_ID"` with the variable unset) is a usage error, not the task list', async () => {
    for (const args of [
      ['status', ''],
      ['status', '', '--json'],
      ['wait', ' '],
      ['cancel', ''],
      ['download', '', '--output', path.join(work.dir, 'x.mp4')],
    ]) {
      const r = await vidgate(args, env);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, '', args.join(' '));
      assert.match(r.stderr, /ID is empty/, args.join(' '));
      noStackTrace(r);
    }
  });

  it('models: a table, filtered by provider, or JSON', async () => {
    const r = await vidgate(['models', '--provider', 'kling'], env);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^MODEL\s+PROVIDER\s+STATUS\s+PRICE/);
    assert.ok(lines.length > 5);
    // Kling's models are all active: rows only, no notes under the table.
    for (const l of lines.slice(1)) assert.match(l, /^kling\S*\s+\S+\s+active\s+[\d.–]+ \/second\s+\S+/);
    const j = await vidgate(['models', '--json'], env);
    const body = JSON.parse(j.stdout) as { data: { id: string }[] };
    assert.ok(body.data.some((m) => m.id === 'veo3.1-fast'));
  });

  it("models: each model's lifecycle stage, and under the table when each deprecated or retired one stops and what replaces it", async () => {
    const full = (await (await gw.api('/v1/models')).json()) as {
      data: { id: string; tokenlab: { lifecycle: { stage: string; sunset_at: string | null; retired_at: string | null; replacement_model: string | null } } }[];
    };
    const leaving = full.data.filter((m) => m.tokenlab.lifecycle.stage === 'deprecated' || m.tokenlab.lifecycle.stage === 'retired');
    assert.ok(leaving.length > 0, 'the catalog has models on their way out (Veo 3.0, Sora 2)');
    const r = await vidgate(['models'], env);
    assert.equal(r.code, 0, r.stderr);
    const [tableText, notesText = ''] = r.stdout.split('\n\n');
    const rows = new Map(
      tableText
        .split('\n')
        .slice(1)
        .map((l) => [l.split(/\s+/)[0], l.split(/\s+/)[2]]),
    );
    for (const m of full.data) assert.equal(rows.get(m.id), m.tokenlab.lifecycle.stage, m.id);
    const notes = notesText.trim().split('\n');
    assert.equal(notes.length, leaving.length, notesText);
    for (const m of leaving) {
      const { stage, sunset_at, retired_at, replacement_model } = m.tokenlab.lifecycle;
      const note = notes.find((n) => n.startsWith(`${m.id}: ${stage}`));
      assert.ok(note, `a note for ${m.id}: ${notesText}`);
      if (retired_at) assert.ok(note.startsWith(`${m.id}: retired ${retired_at.slice(0, 10)}`), note);
      else if (sunset_at) assert.ok(note.includes(`sunset ${sunset_at.slice(0, 10)}`), note);
      if (replacement_model) assert.ok(note.includes(`use ${replacement_model} instead`), note);
    }
    assert.ok(
      leaving.some((m) => m.tokenlab.lifecycle.replacement_model),
      'a replacement was checked',
    );
  });

  it('generate with a local image: sent inline, plain progress lines when not a TTY, MP4 written where asked', async () => {
    const image = path.join(work.dir, 'first-frame.png');
    await solidImage(work.dir, 'red', 'first-frame.png', '1280x720');
    const out = path.join(work.dir, 'boat.mp4');
    const r = await vidgate(['generate', '--model', 'veo3.1-fast', '--prompt', 'The red wall slowly fades', '--duration', '4', '--aspect-ratio', '16:9', '--image', image, '--output', out], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^Created (ldtask_[0-9a-f]{32}) \(veo3\.1-fast\)$/m);
    const id = /Created (ldtask_[0-9a-f]{32})/.exec(r.stderr)![1];
    const progress = r.stderr.split('\n').filter((l) => l.startsWith(id));
    assert.ok(progress.length >= 2, r.stderr);
    for (const l of progress) assert.match(l, /^ldtask_\w+ (pending|processing|completed)( \d+%)? \d+\.\ds$/);
    assert.match(progress.at(-1)!, / completed /);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the assertion is about ESC sequences
    assert.doesNotMatch(r.stderr, /\r|\x1b\[/, 'no terminal control characters in a pipe');
    assert.match(r.stdout, new RegExp(`^Saved ${out.replace(/[.]/g, '\\.')} \\(`));
    const probe = await ffprobeFile(out);
    assert.equal(probe.width, 1280);
    assert.ok(Math.abs(probe.duration - 4) < 0.2);

    // The image went inline: the task ran image-to-video.
    const status = await vidgate(['status', id, '--json'], env);
    const task = JSON.parse(status.stdout) as { operation: string; status: string };
    assert.equal(task.operation, 'image-to-video');
    assert.equal(task.status, 'completed');
    const human = await vidgate(['status', id], env);
    assert.match(human.stdout, /completed\s+veo3\.1-fast\s+image-to-video/);
    assert.match(human.stdout, /video: 1280x720, 4\.0 s/);

    const again = path.join(work.dir, 'again.mp4');
    const dl = await vidgate(['download', id, '--output', again], env);
    assert.equal(dl.code, 0, dl.stderr);
    assert.deepEqual(fs.readFileSync(again), fs.readFileSync(out));
  });

  it('a progress bar with elapsed time on a TTY', async () => {
    // `script` gives the CLI a real pseudo-terminal, as a person's shell would.
    const out = path.join(work.dir, 'tty.mp4');
    const command = [process.execPath, '--import', 'tsx', CLI, 'generate', '--model', 'veo3.1-fast', '--prompt', 'A kite over dunes', '--duration', '4', '--output', out].map((a) => `'${a}'`).join(' ');
    const { stdout } = await execFileP('script', ['-qec', command, '/dev/null'], { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm', ...env }, timeout: 120_000 });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: a terminal's progress bar is ESC [2K (erase line) then the bar
    assert.match(stdout, /\r\x1b\[2K[█░]{24}( +\d+%)? {2}(pending|processing) {2}\d+\.\ds/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: as above
    assert.match(stdout, /\r\x1b\[2K█{24} 100% {2}completed {2}\d+\.\ds/);
    assert.ok(fs.statSync(out).size > 1000);
  });

  it("bad input: the server's message on stderr, exit 1, no stack trace", async () => {
    const r = await vidgate(['generate', '--model', 'veo3.1-fast', '--prompt', 'x', '--duration', '7'], env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^vidgate: .*duration.*\b4, 5, 6, 8\b.*\(param: duration, request id: \S+\)\n$/);
    assert.equal(r.stdout, '');
    noStackTrace(r);

    const unknown = await vidgate(['generate', '--model', 'veo-9000', '--prompt', 'x'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Model 'veo-9000' not found/);

    const noKey = await vidgate(['tasks'], { VIDGATE_BASE_URL: gw.url });
    assert.equal(noKey.code, 1);
    assert.match(noKey.stderr, /^vidgate: .*set VIDGATE_API_KEY or pass --api-key/);

    const badKey = await vidgate(['status', 'ldtask_00000000000000000000000000000000'], { ...env, VIDGATE_API_KEY: 'sk-wrong' });
    assert.equal(badKey.code, 1);
    assert.match(badKey.stderr, /^vidgate: Invalid API key/);

    const down = await vidgate(['models'], { VIDGATE_BASE_URL: 'http://127.0.0.1:9' });
    assert.equal(down.code, 1);
    assert.match(down.stderr, /^vidgate: Cannot reach http:\/\/127\.0\.0\.1:9/);
    noStackTrace(down);
  });

  it('models --provider matching nothing is not found (exit 1, naming the providers there are), not an empty table', async () => {
    for (const args of [
      ['models', '--provider', 'nope'],
      ['models', '--provider', 'nope', '--json'],
    ]) {
      const r = await vidgate(args, env);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^vidgate: no model matches --provider nope; this gateway's providers: .*\bgoogle\b.*\bkuaishou\b.*\n$/);
    }
  });

  it('a negative --limit is a one-line usage error (exit 2), however it is written', async () => {
    for (const args of [
      ['tasks', '--limit', '-5'],
      ['tasks', '--limit=-5'],
      ['tasks', '--limit', '0'],
      ['tasks', '--limit', '2.5'],
    ]) {
      const r = await vidgate(args, env);
      assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.stderr}`);
      assert.match(r.stderr, /^vidgate: --limit must be a whole number of at least 1 \(got '[^']+'\)\nRun 'vidgate tasks --help' for usage\.\n$/);
    }
  });

  it('a --base-url without http:// (localhost:8080) is a usage error (exit 2), not "Cannot reach null"', async () => {
    for (const base of ['localhost:8080', 'ftp://127.0.0.1:8080']) {
      const r = await vidgate(['tasks', '--base-url', base], env);
      assert.equal(r.code, 2, `${base}: ${r.stderr}`);
      assert.match(r.stderr, /is not an http\(s\) URL/, base);
      noStackTrace(r);
    }
    const fromEnv = await vidgate(['models'], { VIDGATE_BASE_URL: 'localhost:8080' });
    assert.equal(fromEnv.code, 2, fromEnv.stderr);
  });

  it('an API key with a character a header cannot carry (sk-… copied from a message) is a usage error, not "Cannot reach"', async () => {
    const r = await vidgate(['tasks'], { VIDGATE_BASE_URL: gw.url, VIDGATE_API_KEY: 'sk-…' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--api-key: the key has a character that is not printable ASCII \(U\+2026 at position 4\)/);
    assert.doesNotMatch(r.stderr, /Cannot reach/);
    noStackTrace(r);
  });

  it('a --base-url ending in /v1 (as the openai SDK takes it) reaches the same routes', async () => {
    for (const base of [`${gw.url}/v1`, `${gw.url}/v1/`]) {
      const r = await vidgate(['tasks', '--limit', '1', '--base-url', base], { VIDGATE_API_KEY: gw.adminKey });
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /No route/);
    }
  });

  it('an --output that cannot be written is refused before the task is created (nothing is paid for)', async () => {
    const before = ((await (await gw.api('/v1/tasks?limit=100')).json()) as { data: unknown[] }).data.length;
    const missingDir = path.join(work.dir, 'no-such-folder', 'out.mp4');
    const r = await vidgate(['generate', '--model', 'veo3.1-fast', '--prompt', 'x', '--duration', '4', '--output', missingDir], env);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^vidgate: --output .*no-such-folder.*does not exist/);
    noStackTrace(r);
    const intoDir = await vidgate(['generate', '--model', 'veo3.1-fast', '--prompt', 'x', '--duration', '4', '--output', work.dir], env);
    assert.equal(intoDir.code, 2, intoDir.stderr);
    assert.match(intoDir.stderr, /is a directory/);
    const after = ((await (await gw.api('/v1/tasks?limit=100')).json()) as { data: unknown[] }).data.length;
    assert.equal(after, before, 'no task was created');
    const download = await vidgate(['download', 'ldtask_00000000000000000000000000000000', '--output', missingDir], env);
    assert.equal(download.code, 2, download.stderr);
    // Without --output the video is saved as <task id>.mp4: a folder that happens to be named task.mp4 is no obstacle.
    const cwd = fs.mkdtempSync(path.join(work.dir, 'cwd-'));
    fs.mkdirSync(path.join(cwd, 'task.mp4'));
    const plain = await vidgate(['generate', '--model', 'veo3.1-fast', '--prompt', 'x', '--duration', '4', '--json'], env, cwd);
    assert.equal(plain.code, 0, plain.stderr);
    const id = (JSON.parse(plain.stdout) as { id: string }).id;
    assert.ok(fs.statSync(path.join(cwd, `${id}.mp4`)).size > 0, 'saved in the current folder under the task id');
  });

  it('wait and cancel; a failed task exits 1 with its error', async () => {
    const api = await startTestGateway({ VIDGATE_ROLE: 'api' }); // no engine: the task stays pending
    try {
      const apiEnv = { VIDGATE_BASE_URL: api.url, VIDGATE_API_KEY: api.adminKey };
      const created = (await (await api.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', prompt: 'x', duration: 4 } })).json()) as { id: string };
      const cancel = await vidgate(['cancel', created.id], apiEnv);
      assert.equal(cancel.code, 0, cancel.stderr);
      assert.equal(cancel.stdout, `Cancelled ${created.id}\n`);
      const again = await vidgate(['cancel', created.id], apiEnv);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /already failed/);
      const waited = await vidgate(['wait', created.id, '--json'], apiEnv);
      assert.equal(waited.code, 1);
      assert.equal(JSON.parse(waited.stdout).cancelled, true);
      assert.match(waited.stderr, /task ldtask_\w+ failed: task_cancelled/);
    } finally {
      await api.close();
    }

    const created = (await (await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', prompt: 'x', duration: 4 } })).json()) as { id: string };
    const r = await vidgate(['wait', created.id], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^${created.id}  completed`));
    assert.equal((await waitForTask(gw, created.id)).status, 'completed');
  });

  it('Ctrl-C (SIGINT) during a wait: exit 130, saying the task goes on and how to follow or cancel it', async () => {
    const child = spawn(process.execPath, ['--import', TSX, CLI, 'generate', '--model', 'veo3.1-fast', '--prompt', 'a wait interrupted [sim:hang]', '--duration', '4'], {
      cwd: work.dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    const following = new Promise<void>((resolve) =>
      child.stderr.on('data', (d) => {
        stderr += d;
        if (/ processing /.test(stderr)) resolve();
      }),
    );
    const closed = new Promise<number | string>((resolve) => child.on('close', (code, signal) => resolve(code ?? signal ?? -1)));
    await following;
    const id = /Created (ldtask_\w+)/.exec(stderr)?.[1];
    assert.ok(id, stderr);
    child.kill('SIGINT');
    assert.equal(await closed, 130, stderr);
    assert.match(stderr, new RegExp(`task ${id} goes on.*vidgate wait ${id}.*vidgate cancel ${id}`));
    noStackTrace({ code: 130, stdout, stderr });
    const task = (await (await gw.api(`/v1/tasks/${id}`)).json()) as { status: string };
    assert.equal(task.status, 'processing', 'the task itself goes on');
    await gw.api(`/v1/tasks/${id}`, { method: 'DELETE' });
  });

  it('a reader that stops reading (`vidgate tasks | head -0`, `| grep -q`) ends it quietly: exit 0, no EPIPE stack trace', async () => {
    for (const args of [['tasks'], ['models', '--json']]) {
      const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.destroy(); // the reading end closes before the CLI writes
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(stderr, '', `${args.join(' ')}: ${stderr}`);
      assert.equal(code, 0, args.join(' '));
    }
  });

  it("tasks: the key's tasks newest first, filtered, as a table or JSON", async () => {
    const api = await startTestGateway({ VIDGATE_ROLE: 'api' });
    try {
      const apiEnv = { VIDGATE_BASE_URL: api.url, VIDGATE_API_KEY: api.adminKey };
      const empty = await vidgate(['tasks'], apiEnv);
      assert.equal(empty.stdout, 'No tasks.\n');
      const ids: string[] = [];
      for (const model of ['veo3.1-fast', 'kling-v2.6-pro', 'veo3.1-fast']) {
        const body = { model, prompt: 'x', duration: model === 'veo3.1-fast' ? 4 : 5 };
        ids.push(((await (await api.api('/v1/videos/generations', { method: 'POST', json: body })).json()) as { id: string }).id);
      }
      const table = await vidgate(['tasks'], apiEnv);
      assert.equal(table.code, 0, table.stderr);
      const lines = table.stdout.trim().split('\n');
      assert.match(lines[0], /^ID\s+STATUS\s+MODEL\s+CREATED$/);
      assert.deepEqual(
        lines.slice(1).map((l) => l.split(/\s+/)[0]),
        [...ids].reverse(),
      );
      const veo = JSON.parse((await vidgate(['tasks', '--model', 'veo3.1-fast', '--json'], apiEnv)).stdout) as { id: string }[];
      // `tasks --json` is a bare array of tasks (as the README says), not the API's list object.
      assert.ok(Array.isArray(veo));
      assert.deepEqual(
        veo.map((t) => t.id),
        [ids[2], ids[0]],
      );
      const one = JSON.parse((await vidgate(['tasks', '--limit', '1', '--json'], apiEnv)).stdout) as { id: string }[];
      assert.deepEqual(
        one.map((t) => t.id),
        [ids[2]],
      );
      // A status that is none of the four is a mistyped flag value: exit 2, one line, before any request.
      const bad = await vidgate(['tasks', '--status', 'sleeping'], apiEnv);
      assert.equal(bad.code, 2, bad.stderr);
      assert.equal(bad.stderr, "vidgate: --status must be one of pending, processing, completed, failed (got 'sleeping')\nRun 'vidgate tasks --help' for usage.\n");
      const failed = await vidgate(['tasks', '--status', 'failed', '--json'], apiEnv);
      assert.equal(failed.code, 0, failed.stderr);
      assert.deepEqual(JSON.parse(failed.stdout), []);
    } finally {
      await api.close();
    }
  });

  it('the `vidgate` bin runs from the project with npx (built at install by `prepare`)', async () => {
    const { stdout } = await execFileP('npx', ['--no-install', 'vidgate', 'status', '--help'], { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
    assert.match(stdout, /^Usage: vidgate status ID/);
  });
});
