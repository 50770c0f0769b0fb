import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from './args.js';

const TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.mp4': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
};

/**
 * A media flag's value as the API takes it: URLs (https:, http:, data:) pass through; a local file
 * is read and sent inline as a data: URL, its type taken from the extension.
 */
export function mediaInput(flag: string, value: string, command: string): string {
  if (/^(https?|data):/i.test(value)) return value;
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(value);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new UsageError(`--${flag} ${value}: ${why} (give a local file or an https URL)`, command);
  }
  const type = TYPES[path.extname(value).toLowerCase()];
  if (!type) throw new UsageError(`--${flag} ${value}: unknown file type; use one of ${Object.keys(TYPES).join(', ')}`, command);
  return `data:${type};base64,${bytes.toString('base64')}`;
}
