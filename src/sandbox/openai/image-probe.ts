import { spawn } from 'node:child_process';
import ffprobeInstaller from '@ffprobe-installer/ffprobe';

/**
 * Pixel size of image bytes as ffprobe sees them. The simulator measures images its own way (not
 * with the adapter's header parser), so a bug in one cannot hide the same bug in the other.
 */
export function probeImageSize(bytes: Buffer, timeoutMs = 10_000): Promise<{ width: number; height: number } | undefined> {
  return new Promise((resolve) => {
    const child = spawn(ffprobeInstaller.path, ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'json', '-i', 'pipe:0'], {
      stdio: ['pipe', 'pipe', 'ignore'],
      timeout: timeoutMs,
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c: string) => (out += c));
    child.stdin.on('error', () => undefined); // ffprobe may stop reading once it knows enough
    child.on('error', () => resolve(undefined));
    child.on('close', () => {
      try {
        const s = (JSON.parse(out) as { streams?: Array<{ width?: number; height?: number }> }).streams?.[0];
        resolve(s?.width && s.height ? { width: s.width, height: s.height } : undefined);
      } catch {
        resolve(undefined);
      }
    });
    child.stdin.end(bytes);
  });
}
