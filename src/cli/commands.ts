import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import type { Vidgate, Task, TaskStatus, VideoGenerationRequest } from '../client/index.js';
import { choiceFlag, countFlag, numberFlag, UsageError, type OptionSpec, type Parsed } from './args.js';
import { mediaInput } from './media.js';
import { progressReporter } from './progress.js';

export interface Context {
  values: Parsed['values'];
  positionals: string[];
  client: Vidgate;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export interface Command {
  name: string;
  usage: string;
  summary: string;
  options: Record<string, OptionSpec>;
  /** Names of the positional arguments it requires (in order). */
  positionals: string[];
  run(ctx: Context): Promise<void>;
}

const json = (ctx: Context, value: unknown) => ctx.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return `${rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n')}\n`;
}

function describeTask(t: Task): string {
  const lines = [`${t.id}  ${t.status}${t.progress !== undefined && t.status === 'processing' ? ` ${t.progress}%` : ''}  ${t.model}  ${t.operation}`];
  if (t.video) lines.push(`video: ${t.video.width}x${t.video.height}, ${t.video.duration.toFixed(1)} s${t.has_audio ? ', with audio' : ''}`);
  if (t.video_url) lines.push(`video_url: ${t.video_url}`);
  if (t.status === 'failed' && t.error) lines.push(`error: ${t.error.code}: ${t.error.message}`);
  return `${lines.join('\n')}\n`;
}

/** Streams a completed task's video into `file` and says where it went. */
async function save(ctx: Context, task: Task, file: string): Promise<void> {
  const stream = await ctx.client.files.stream(task);
  const target = path.resolve(file);
  await pipeline(Readable.fromWeb(stream as NodeWebStream<Uint8Array>), fs.createWriteStream(target));
  const size = fs.statSync(target).size;
  if (!ctx.values.json) ctx.stdout.write(`Saved ${target} (${(size / 1e6).toFixed(2)} MB${task.video ? `, ${task.video.width}x${task.video.height}, ${task.video.duration.toFixed(1)} s` : ''})\n`);
}

/**
 * Refuses, before anything is created (and paid for), an --output the MP4 could not be written to.
 * No --output: the video goes to the current folder under the task's id, so only the folder counts.
 */
function checkWritable(file: string | undefined, command: string): void {
  const target = file === undefined ? undefined : path.resolve(file);
  const dir = target === undefined ? process.cwd() : path.dirname(target);
  try {
    if (target !== undefined && fs.existsSync(target)) {
      if (fs.statSync(target).isDirectory()) throw new Error('it is a directory; give a file name');
      // An existing file is overwritten: it must be writable itself, whatever its folder allows.
      fs.accessSync(target, fs.constants.W_OK);
      return;
    }
    if (!fs.existsSync(dir)) throw new Error(`the folder ${dir} does not exist`);
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'EACCES' ? `${target !== undefined && fs.existsSync(target) ? `the file ${target}` : `the folder ${dir}`} is not writable` : (err as Error).message;
    throw new UsageError(`${file === undefined ? 'the current folder' : `--output ${file}`}: ${why}`, command);
  }
}

/**
 * Waits with a progress display on stderr. Ctrl-C ends the wait, not the task: that goes on (and is
 * paid for), so the progress line is ended and the way back to it is said (Interrupted, exit 130).
 */
async function waitVisibly(ctx: Context, id: string): Promise<Task> {
  const progress = progressReporter(ctx.stderr);
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort();
  process.once('SIGINT', onSigint);
  try {
    return await ctx.client.tasks.wait(id, { onProgress: (t) => progress.update(t), signal: interrupt.signal });
  } catch (err) {
    if (interrupt.signal.aborted) throw new Interrupted(id);
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
    progress.done();
  }
}

/** Ctrl-C during a wait: exit code 130, as a shell reports a command that SIGINT ended. */
export class Interrupted extends Error {
  constructor(readonly id: string) {
    super(`stopped waiting; task ${id} goes on. Follow it again: vidgate wait ${id}; stop it: vidgate cancel ${id}`);
  }
}

function failedTaskError(task: Task): Error {
  return new TaskFailed(task);
}

/** A task that ended failed: its error is the message, exit code 1. */
export class TaskFailed extends Error {
  constructor(readonly task: Task) {
    super(`task ${task.id} failed: ${task.error?.code ?? 'failed'}: ${task.error?.message ?? 'no details'}`);
  }
}

/** `models --provider P` that matches nothing: not found (exit 1), naming the providers there are. */
async function noModelOf(ctx: Context, provider: string): Promise<Error> {
  const all = await ctx.client.models.list({ view: 'compact' });
  const known = [...new Set(all.data.map((m) => (m as { provider?: string }).provider).filter((p) => p !== undefined))].sort();
  return new Error(`no model matches --provider ${provider}; this gateway's providers: ${known.join(', ')}`);
}

const ID = ['ID'];

/** Lifecycle stages of a model on its way out (or gone), which `models` explains under its table. */
const LEAVING = new Set(['deprecated', 'retired']);

type Lifecycle = Extract<Awaited<ReturnType<Vidgate['models']['list']>>['data'][number], { tokenlab: unknown }>['tokenlab']['lifecycle'];

/** One line: `veo3: deprecated, sunset 2027-01-31; use veo3.1 instead. Why.` or `sora-2: retired 2026-09-24. Why.` */
function lifecycleNote(id: string, l: Lifecycle): string {
  const day = (iso: string) => iso.slice(0, 10);
  const when = l.stage === 'retired' ? (l.retired_at ? ` ${day(l.retired_at)}` : '') : l.sunset_at ? `, sunset ${day(l.sunset_at)}` : '';
  let line = `${id}: ${l.stage}${when}${l.replacement_model ? `; use ${l.replacement_model} instead` : ''}.`;
  if (l.reason) line += ` ${l.reason}`;
  return line;
}

/** The public statuses, each once (a record, so a status added to the API's type must be added here). */
const STATUSES = Object.keys({ pending: true, processing: true, completed: true, failed: true } satisfies Record<TaskStatus, true>) as TaskStatus[];

export const COMMANDS: Command[] = [
  {
    name: 'models',
    usage: 'vidgate models [--provider P] [--json]',
    summary: 'List the models this gateway serves, with their operations and prices.',
    options: { provider: { type: 'string', value: 'P', description: 'Only models of this provider (google, kuaishou, openai, …)' } },
    positionals: [],
    async run(ctx) {
      const provider = str(ctx.values.provider);
      const list = await ctx.client.models.list({ view: 'compact', provider });
      if (provider !== undefined && list.data.length === 0) throw await noModelOf(ctx, provider);
      if (ctx.values.json) return void json(ctx, list);
      const rows = [['MODEL', 'PROVIDER', 'STATUS', 'PRICE (USD)', 'OPERATIONS']];
      for (const m of list.data) {
        const item = m as { id: string; provider?: string; status?: string; supported_operations?: string[]; pricing?: { unit?: string; min_price?: string; max_price?: string } };
        const p = item.pricing;
        const price = p?.min_price ? `${p.min_price === p.max_price ? p.min_price : `${p.min_price}–${p.max_price}`} ${String(p.unit ?? '').replace('per_', '/')}` : '';
        rows.push([item.id, item.provider ?? '', item.status ?? '', price, (item.supported_operations ?? []).join(', ')]);
      }
      ctx.stdout.write(table(rows));
      // The compact list has only the stage: the dates and replacement of a model on its way out are in the full one.
      const leaving = list.data.filter((m) => LEAVING.has(String((m as { status?: string }).status)));
      if (leaving.length === 0) return;
      const full = await ctx.client.models.list({ provider });
      const notes = full.data.flatMap((m) => {
        const lifecycle = 'tokenlab' in m ? m.tokenlab.lifecycle : undefined;
        return lifecycle && LEAVING.has(lifecycle.stage) ? [lifecycleNote(m.id, lifecycle)] : [];
      });
      if (notes.length > 0) ctx.stdout.write(`\n${notes.join('\n')}\n`);
    },
  },
  {
    name: 'generate',
    usage: 'vidgate generate --model M --prompt TEXT [options]',
    summary:
      'Create a video task, show its progress, and save the MP4 when it is done.\nLocal files given to --image/--end-image/--video are sent inline as data: URLs.\nOne --image is the first frame; --image with --end-image are the first and last frames;\nseveral --image are reference images.',
    options: {
      model: { type: 'string', short: 'm', value: 'M', description: 'Model id (see `vidgate models`)' },
      prompt: { type: 'string', short: 'p', value: 'TEXT', description: 'What to generate' },
      duration: { type: 'string', short: 'd', value: 'N', description: 'Seconds (the model decides which are allowed)' },
      'aspect-ratio': { type: 'string', value: 'R', description: '16:9, 9:16, 1:1, …' },
      resolution: { type: 'string', value: 'R', description: '480p, 720p, 1080p, 4k' },
      audio: { type: 'boolean', description: 'Ask for sound (--no-audio: silent), where the model can switch it' },
      image: { type: 'string', multiple: true, value: 'PATH|URL', description: 'Input image (repeatable)' },
      'end-image': { type: 'string', value: 'PATH|URL', description: 'Last frame (with --image as the first)' },
      video: { type: 'string', value: 'PATH|URL', description: 'Input video (video-to-video, motion control)' },
      operation: { type: 'string', value: 'OP', description: 'Operation, when the inputs do not make it clear' },
      output: { type: 'string', short: 'o', value: 'FILE', description: 'Where to write the MP4 (default ./<task id>.mp4)' },
    },
    positionals: [],
    async run(ctx) {
      const v = ctx.values;
      const model = str(v.model);
      const prompt = str(v.prompt);
      if (!model) throw new UsageError('--model is required (see `vidgate models`)', 'generate');
      const request: Record<string, unknown> = { model };
      if (prompt !== undefined) request.prompt = prompt;
      const duration = numberFlag(v, 'duration', 'generate');
      if (duration !== undefined) request.duration = duration;
      if (v['aspect-ratio'] !== undefined) request.aspect_ratio = v['aspect-ratio'];
      if (v.resolution !== undefined) request.resolution = v.resolution;
      if (typeof v.audio === 'boolean') request.output_audio = v.audio;
      if (v.operation !== undefined) request.operation = v.operation;
      const images = ((v.image as string[] | undefined) ?? []).map((i) => mediaInput('image', i, 'generate'));
      const endImage = str(v['end-image']);
      if (endImage !== undefined) {
        if (images.length !== 1) throw new UsageError('--end-image needs exactly one --image (the first frame)', 'generate');
        request.start_image = images[0];
        request.end_image = mediaInput('end-image', endImage, 'generate');
      } else if (images.length === 1) request.image_url = images[0];
      else if (images.length > 1) request.reference_images = images;
      if (v.video !== undefined) request.video_url = mediaInput('video', String(v.video), 'generate');

      const output = str(v.output);
      checkWritable(output, 'generate');

      const created = await ctx.client.videos.create(request as VideoGenerationRequest);
      if (!v.json) ctx.stderr.write(`Created ${created.id} (${created.model})\n`);
      const task = await waitVisibly(ctx, created.id);
      if (task.status === 'failed') {
        if (v.json) json(ctx, task);
        throw failedTaskError(task);
      }
      const file = output ?? `${task.id}.mp4`;
      await save(ctx, task, file).catch((err: unknown) => {
        throw new Error(`${task.id} is completed but ${file} could not be written (${err instanceof Error ? err.message : String(err)}); save it with: vidgate download ${task.id} --output FILE`);
      });
      if (v.json) json(ctx, task);
    },
  },
  {
    name: 'status',
    usage: 'vidgate status ID [--json]',
    summary: 'Show a task.',
    options: {},
    positionals: ID,
    async run(ctx) {
      const task = await ctx.client.tasks.get(ctx.positionals[0]);
      if (ctx.values.json) json(ctx, task);
      else ctx.stdout.write(describeTask(task));
    },
  },
  {
    name: 'wait',
    usage: 'vidgate wait ID [--json]',
    summary: 'Wait until a task is completed or failed, showing its progress. Exits 1 if it failed.',
    options: {},
    positionals: ID,
    async run(ctx) {
      const task = await waitVisibly(ctx, ctx.positionals[0]);
      if (ctx.values.json) json(ctx, task);
      else ctx.stdout.write(describeTask(task));
      if (task.status === 'failed') throw failedTaskError(task);
    },
  },
  {
    name: 'cancel',
    usage: 'vidgate cancel ID [--json]',
    summary: 'Cancel a task that has not started upstream (or one its provider can stop).',
    options: {},
    positionals: ID,
    async run(ctx) {
      const task = await ctx.client.tasks.cancel(ctx.positionals[0]);
      if (ctx.values.json) json(ctx, task);
      else ctx.stdout.write(`Cancelled ${task.id}\n`);
    },
  },
  {
    name: 'download',
    usage: 'vidgate download ID --output FILE',
    summary: "Save a completed task's MP4.",
    options: { output: { type: 'string', short: 'o', value: 'FILE', description: 'Where to write the MP4 (required)' } },
    positionals: ID,
    async run(ctx) {
      const output = str(ctx.values.output);
      if (!output) throw new UsageError('--output FILE is required', 'download');
      checkWritable(output, 'download');
      const task = await ctx.client.tasks.get(ctx.positionals[0]);
      await save(ctx, task, output);
      if (ctx.values.json) json(ctx, task);
    },
  },
  {
    name: 'tasks',
    usage: 'vidgate tasks [--status S] [--model M] [--limit N] [--json]',
    summary: 'List your tasks, newest first.',
    options: {
      status: { type: 'string', value: 'S', description: `${STATUSES.slice(0, -1).join(', ')} or ${STATUSES.at(-1)}` },
      model: { type: 'string', value: 'M', description: 'Only this model' },
      limit: { type: 'string', value: 'N', description: 'How many (default 20)' },
    },
    positionals: [],
    async run(ctx) {
      const limit = countFlag(ctx.values, 'limit', 'tasks') ?? 20;
      const status = choiceFlag(ctx.values, 'status', STATUSES, 'tasks');
      const found: Task[] = [];
      for await (const t of ctx.client.tasks.list({ status, model: str(ctx.values.model), limit: Math.min(limit, 100) }).items()) {
        found.push(t);
        if (found.length >= limit) break;
      }
      // A bare array, not the API's list object: it may span several pages, and scripts rely on its shape.
      if (ctx.values.json) return void json(ctx, found);
      if (found.length === 0) return void ctx.stdout.write('No tasks.\n');
      const rows = [['ID', 'STATUS', 'MODEL', 'CREATED']];
      for (const t of found) rows.push([t.id, t.status, t.model, new Date(t.created * 1000).toISOString().replace('.000Z', 'Z')]);
      ctx.stdout.write(table(rows));
    },
  },
];
