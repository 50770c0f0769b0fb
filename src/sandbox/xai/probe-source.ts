import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import ffprobe from '@ffprobe-installer/ffprobe';

const run = promisify(execFile);

export interface SourceInfo {
  durationSeconds: number;
  width: number;
  height: number;
}

/** Duration and frame size of a source video file, or undefined if it is not a decodable video. */
export async function probeSource(path: string): Promise<SourceInfo | undefined> {
  try {
    const { stdout } = await run(ffprobe.path, ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,width,height', '-of', 'json', path], { timeout: 30_000 });
    const j = JSON.parse(stdout) as { format?: { duration?: string }; streams?: { codec_type?: string; width?: number; height?: number }[] };
    const v = j.streams?.find((s) => s.codec_type === 'video');
    const durationSeconds = Number(j.format?.duration);
    if (!v?.width || !v.height || !(durationSeconds > 0)) return undefined;
    return { durationSeconds, width: v.width, height: v.height };
  } catch {
    return undefined;
  }
}

/** xAI caps edit and extension output at 720p and keeps the source's aspect: short side 720, even sizes. */
export function outputSizeForSource(src: SourceInfo): { width: number; height: number } {
  const even = (n: number) => Math.max(16, Math.round(n / 2) * 2);
  return src.width >= src.height ? { width: even((720 * src.width) / src.height), height: 720 } : { width: 720, height: even((720 * src.height) / src.width) };
}
