import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import ffprobe from '@ffprobe-installer/ffprobe';

const run = promisify(execFile);

/** Independent check of a downloaded file (does not use our media/probe.ts). */
export async function ffprobeFile(file: string): Promise<{ duration: number; width: number; height: number; hasAudio: boolean; codec: string }> {
  const { stdout } = await run(ffprobe.path, ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,codec_name,width,height', '-of', 'json', file]);
  const j = JSON.parse(stdout) as { format: { duration: string }; streams: { codec_type: string; codec_name: string; width?: number; height?: number }[] };
  const v = j.streams.find((s) => s.codec_type === 'video');
  if (!v) throw new Error('no video stream');
  return { duration: Number(j.format.duration), width: v.width ?? 0, height: v.height ?? 0, hasAudio: j.streams.some((s) => s.codec_type === 'audio'), codec: v.codec_name };
}
