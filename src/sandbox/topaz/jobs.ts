import { createHash, randomUUID, randomBytes } from 'node:crypto';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { probeVideo } from '../../media/probe.js';
import { PersistedMap } from '../common/job-store.js';
import { JobBook, scaledMs, type ClockedJob } from '../common/jobs.js';
import { renderVideo } from '../render.js';
import { invalidState } from './errors.js';
import { DEFAULT_FAILURE, type JobOutcome } from './faults.js';
import { estimatesFor, type TopazCreateSpec } from './validate.js';

type Phase = 'requested' | 'accepted' | 'initializing' | 'preprocessing' | 'processing' | 'postprocessing' | 'complete' | 'failed' | 'canceling' | 'canceled';

interface Part {
  bytes: Buffer;
  eTag: string;
}

interface TopazJob extends ClockedJob {
  /** When DELETE /video/{id} stopped it. */
  cancelledAt?: number;
  id: string;
  spec: TopazCreateSpec;
  estimates: { cost: [number, number]; time: [number, number] };
  accepted: boolean;
  urlCount: number;
  parts: Map<number, Part>;
  outcome?: JobOutcome;
  /** Phase boundaries (ms epoch) once the upload is complete. */
  timeline?: { pre: number; proc: number; post: number; done: number };
  file?: { id: string; size: number };
}

/** What a request whose render broke reports. */
function renderFailure(err: Error): { message: string } {
  return { message: `The uploaded video could not be processed: ${err.message.split('\n')[0]}` };
}

/** download.url lifetime: 24 h by default; `expiresIn` is this in milliseconds, `expiresAt` in ms since the epoch. */
export const DOWNLOAD_URL_TTL_MS = 24 * 3600_000;

/** How long a cancelled request stays `canceling` before it is `canceled` (simulated time). */
const CANCELING_MS = 3000;

/** Request lifecycle of one Topaz simulator: create, accept, parts, complete, processing, output. */
export class TopazJobs {
  private readonly files: Map<string, string>;
  private readonly jobs: JobBook<TopazJob>;

  constructor(
    private readonly workDir: string,
    private readonly speed: number,
    private readonly partBytes: number,
  ) {
    // Requests and files of a previous run on this work dir carry on where they were.
    this.files = new PersistedMap(join(workDir, 'files.json'));
    this.jobs = new JobBook(workDir, {
      rendersVideo: (job) => job.outcome?.kind === 'success' && job.cancelledAt === undefined,
      rendered: (job) => job.file !== undefined,
      render: (job) => this.render(job),
    });
  }

  /** Keeps a request's changes on disk. */
  save(job: TopazJob): void {
    this.jobs.save(job);
  }

  create(spec: TopazCreateSpec): { requestId: string; estimates: TopazJob['estimates'] } {
    const id = randomUUID();
    const estimates = estimatesFor(spec);
    const job: TopazJob = { id, spec, estimates, accepted: false, urlCount: 0, parts: new Map() };
    this.jobs.add(job);
    return { requestId: id, estimates };
  }

  get(id: string): TopazJob | undefined {
    return this.jobs.get(id);
  }

  /** One URL up to partBytes, then ceil(size / partBytes) URLs, at most 150 (§5.4). */
  accept(job: TopazJob): number {
    if (job.accepted) throw invalidState(`Request ${job.id} has already been accepted.`);
    job.accepted = true;
    job.urlCount = Math.min(150, Math.max(1, Math.ceil(job.spec.source.size / this.partBytes)));
    this.save(job);
    return job.urlCount;
  }

  putPart(job: TopazJob, partNum: number, bytes: Buffer): string {
    if (!job.accepted || job.timeline) throw invalidState('Uploads are only accepted between accept and complete-upload.');
    const eTag = createHash('md5').update(bytes).digest('hex');
    job.parts.set(partNum, { bytes, eTag });
    this.save(job);
    return eTag;
  }

  /** Checks the parts against the declared source, then queues processing. */
  complete(job: TopazJob, results: Array<{ partNum: number; eTag: string }>, outcome: JobOutcome): void {
    if (!job.accepted) throw invalidState(`Request ${job.id} must be accepted before completing the upload.`);
    if (job.timeline) throw invalidState(`The upload of request ${job.id} is already complete.`);
    const uploaded = [...job.parts.keys()].sort((a, b) => a - b);
    if (uploaded.length === 0) throw invalidState('No part was uploaded: PUT the video to the URL(s) from accept first.');
    if (uploaded.some((n, i) => n !== i + 1)) throw invalidState('Parts must be uploaded in order without gaps, starting at partNum 1.');
    if (results.length !== uploaded.length) throw invalidState(`uploadResults lists ${results.length} part(s) but ${uploaded.length} were uploaded.`);
    if (uploaded.length > 1) {
      for (const r of results) {
        if (job.parts.get(r.partNum)?.eTag !== r.eTag) throw invalidState(`eTag of part ${r.partNum} does not match the uploaded bytes.`);
      }
    }
    const size = uploaded.reduce((n, p) => n + job.parts.get(p)!.bytes.length, 0);
    if (size !== job.spec.source.size) throw invalidState(`Uploaded ${size} bytes but source.size is ${job.spec.source.size}.`);
    const now = Date.now();
    const s = (seconds: number) => scaledMs(seconds, this.speed);
    const pre = now + s(3);
    const proc = pre + s(3);
    const post = proc + s(8 + job.spec.source.duration * 2);
    job.timeline = { pre, proc, post, done: post + s(3) };
    // The render starts when processing ends, so postprocessing usually finds the file ready.
    job.dueAt = post;
    job.outcome = outcome;
    this.jobs.add(job);
  }

  /**
   * DELETE /video/{id}: stops a request that is not finished (credits are refunded). It is
   * `canceling` for a moment (the GPU work is still being stopped), then `canceled`. A request that
   * is already `canceling` or `canceled` answers 'already' (Topaz's OpenAPI: 204, "already canceled
   * or in progress"); a complete or failed one cannot be cancelled.
   */
  cancel(job: TopazJob): 'cancelling' | 'already' | 'finished' {
    const phase = this.phase(job);
    if (phase === 'canceled' || phase === 'canceling') return 'already';
    if (phase === 'complete' || phase === 'failed') return 'finished';
    job.cancelledAt = Date.now();
    this.jobs.stop(job);
    return 'cancelling';
  }

  private phase(job: TopazJob): Phase {
    if (job.cancelledAt !== undefined) return Date.now() < job.cancelledAt + CANCELING_MS / this.speed ? 'canceling' : 'canceled';
    if (!job.timeline) return job.accepted ? 'accepted' : 'requested';
    const now = Date.now();
    const t = job.timeline;
    if (now < t.pre) return 'initializing';
    if (now < t.proc) return 'preprocessing';
    if (job.outcome?.kind === 'hang' || now < t.post) return 'processing';
    if (job.outcome?.kind === 'fail') return 'failed';
    const output = this.jobs.output(job);
    if (output === 'failed') return 'failed';
    return now < t.done || output === 'rendering' ? 'postprocessing' : 'complete';
  }

  view(job: TopazJob, link: (fileId: string) => string): Record<string, unknown> {
    const status = this.phase(job);
    const t = job.timeline;
    const base = { status, estimates: job.estimates };
    switch (status) {
      case 'requested':
      case 'accepted':
      case 'initializing':
        return { ...base, progress: 0, message: 'Queued' };
      case 'preprocessing':
        return { ...base, progress: 0, message: 'Preprocessing' };
      case 'processing': {
        const progress = job.outcome?.kind === 'hang' ? 50 : Math.min(99, Math.round(((Date.now() - t!.proc) / (t!.post - t!.proc)) * 1000) / 10);
        return {
          ...base,
          progress,
          message: 'Processing',
          averageFps: 12.4,
          combinedFps: 49.6,
          processingJobs: [{ chunkId: job.id, chunkIndex: 0, taskIndex: 0, status: 'processing', gpuUtilization: 93 }],
        };
      }
      case 'postprocessing':
        return { ...base, progress: 99, message: 'Postprocessing' };
      case 'canceling':
        return { ...base, progress: 0, message: 'Canceling' };
      case 'canceled':
        return { ...base, progress: 0, message: 'Canceled: the credits were refunded.' };
      case 'failed': {
        const f = job.outcome?.kind === 'fail' ? job.outcome : job.renderError ? renderFailure(job.renderError) : DEFAULT_FAILURE;
        return { ...base, progress: 0, message: f.message };
      }
      case 'complete': {
        // Milliseconds, 24 h by default (Topaz's OpenAPI: EnhancedDownloadSignedUrlResponse).
        const expiresIn = DOWNLOAD_URL_TTL_MS;
        return {
          ...base,
          progress: 100,
          message: 'Complete',
          outputSize: job.file!.size,
          download: { url: link(job.file!.id), expiresIn, expiresAt: Date.now() + expiresIn },
        };
      }
    }
  }

  filePath(fileId: string): string | undefined {
    return this.files.get(fileId);
  }

  /** Upscales the uploaded bytes to output.resolution (the source is the moving background). */
  private async render(job: TopazJob): Promise<void> {
    const dir = join(this.workDir, 'videos');
    await mkdir(dir, { recursive: true });
    const id = randomBytes(12).toString('hex');
    const sourcePath = join(dir, `${id}-source.${job.spec.source.container}`);
    const parts = [...job.parts.keys()].sort((a, b) => a - b).map((n) => job.parts.get(n)!.bytes);
    await writeFile(sourcePath, Buffer.concat(parts));
    const probe = await probeVideo(sourcePath);
    const even = (n: number) => Math.max(16, Math.round(n / 2) * 2);
    const out = join(dir, `${id}.mp4`);
    await renderVideo({
      outPath: out,
      durationSeconds: job.spec.source.duration,
      width: even(job.spec.output.width),
      height: even(job.spec.output.height),
      // Audio is copied only when asked and present (the sandbox re-synthesises it as a tone).
      audio: job.spec.output.audioTransfer !== 'None' && probe.hasAudio,
      sourceVideo: sourcePath,
      fps: Math.min(60, Math.max(1, Math.round(job.spec.output.frameRate))),
      label: `topaz\n${job.spec.filters.map((f) => f.model).join(',')}`,
      signal: this.jobs.signal,
    });
    this.files.set(id, out);
    job.file = { id, size: (await stat(out)).size };
  }

  close(): Promise<void> {
    return this.jobs.close();
  }
}
