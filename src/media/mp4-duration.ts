/**
 * The length an MP4/MOV file declares in its movie header (moov/mvhd), read from the bytes without
 * ffprobe: cheap enough to run on an inline `data:` video while answering a create. Undefined when
 * the file has no usable header there (not ISO-BMFF, fragmented with no duration, truncated): the
 * engine probes the real file before submitting anyway.
 */

interface Box {
  type: string;
  /** Where the box's content starts and ends. */
  start: number;
  end: number;
}

/** The boxes directly inside [from, to). Stops at the first malformed header. */
function* boxes(bytes: Buffer, from: number, to: number): Generator<Box> {
  let at = from;
  while (at + 8 <= to) {
    let size = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    let header = 8;
    if (size === 1) {
      if (at + 16 > to) return;
      const big = bytes.readBigUInt64BE(at + 8);
      if (big > BigInt(to - at)) return;
      size = Number(big);
      header = 16;
    } else if (size === 0) {
      size = to - at;
    }
    if (size < header || at + size > to) return;
    yield { type, start: at + header, end: at + size };
    at += size;
  }
}

function child(bytes: Buffer, parent: { start: number; end: number }, type: string): Box | undefined {
  for (const b of boxes(bytes, parent.start, parent.end)) if (b.type === type) return b;
  return undefined;
}

export function mp4DeclaredSeconds(bytes: Buffer): number | undefined {
  const moov = child(bytes, { start: 0, end: bytes.length }, 'moov');
  const mvhd = moov && child(bytes, moov, 'mvhd');
  if (!mvhd) return undefined;
  const version = bytes[mvhd.start];
  // version(1) flags(3), then creation and modification times (4 or 8 bytes each), timescale, duration.
  const [timescaleAt, durationBytes] = version === 1 ? [mvhd.start + 20, 8] : [mvhd.start + 12, 4];
  if (timescaleAt + 4 + durationBytes > mvhd.end) return undefined;
  const timescale = bytes.readUInt32BE(timescaleAt);
  const duration = durationBytes === 8 ? Number(bytes.readBigUInt64BE(timescaleAt + 4)) : bytes.readUInt32BE(timescaleAt + 4);
  // All ones means "unknown"; zero is what fragmented files declare.
  const unknown = durationBytes === 8 ? duration >= Number.MAX_SAFE_INTEGER : duration === 0xffffffff;
  if (timescale === 0 || duration === 0 || unknown) return undefined;
  return duration / timescale;
}
