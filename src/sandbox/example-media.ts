import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import type { MediaBytes } from '../providers/types.js';

const run = promisify(execFile);

/**
 * RFC 2606 reserves example.com/.net/.org for documentation: no real media lives there, and every
 * TokenLab example uses them. In sandbox mode only, such URLs resolve to generated placeholder
 * media (a solid image whose colour derives from the URL; a short clip; a tone) so the documented
 * examples run verbatim with no network.
 */
export function isDocumentationUrl(value: string): boolean {
  try {
    const host = new URL(value).hostname.toLowerCase();
    return /(^|\.)example\.(com|net|org)$/.test(host);
  } catch {
    return false;
  }
}

const cache = new Map<string, Promise<MediaBytes>>();

export function placeholderMedia(url: string, kind: 'image' | 'video' | 'audio'): Promise<MediaBytes> {
  const key = `${kind}:${url}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = render(url, kind);
    hit.catch(() => cache.delete(key));
    if (cache.size > 200) cache.clear();
    cache.set(key, hit);
  }
  return hit;
}

async function render(url: string, kind: 'image' | 'video' | 'audio'): Promise<MediaBytes> {
  const colour = `0x${createHash('sha256').update(url).digest('hex').slice(0, 6)}`;
  const common = ['-v', 'error', '-nostdin'];
  const opts = { encoding: 'buffer' as const, maxBuffer: 32 << 20 };
  if (kind === 'image') {
    const { stdout } = await run(ffmpeg.path, [...common, '-f', 'lavfi', '-i', `color=c=${colour}:size=640x360`, '-frames:v', '1', '-f', 'image2pipe', '-vcodec', 'png', '-'], opts);
    return { bytes: stdout, mimeType: 'image/png' };
  }
  if (kind === 'audio') {
    const { stdout } = await run(ffmpeg.path, [...common, '-f', 'lavfi', '-i', 'sine=frequency=330:duration=3', '-f', 'wav', '-'], opts);
    return { bytes: stdout, mimeType: 'audio/wav' };
  }
  const { stdout } = await run(
    ffmpeg.path,
    [...common, '-f', 'lavfi', '-i', `color=c=${colour}:size=640x360:rate=12:duration=3`, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-movflags', 'frag_keyframe+empty_moov', '-f', 'mp4', '-'],
    opts,
  );
  return { bytes: stdout, mimeType: 'video/mp4' };
}
