import { open, readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';

export interface ClipInfo {
  format: 'y4m' | 'mjpeg';
  width: number;
  height: number;
  fps: number;
  frames: number;
  /** One pass of the clip (Chromium's fake camera loops it). */
  durationMs: number;
}

/** Chromium plays MJPEG files at this rate; y4m carries its own. */
const MJPEG_FPS = 30;

/** Reads what `analyze` needs to know of a clip without decoding it. */
export async function readClipInfo(path: string): Promise<ClipInfo> {
  const ext = extname(path).toLowerCase();
  if (ext === '.y4m') return readY4mInfo(path);
  if (ext === '.mjpeg' || ext === '.mjpg') return readMjpegInfo(path);
  throw new TypeError(`${path}: analyze takes a .y4m or .mjpeg clip`);
}

async function readY4mInfo(path: string): Promise<ClipInfo> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    const end = head.subarray(0, bytesRead).indexOf(0x0a);
    const header = head.subarray(0, end).toString('latin1');
    if (end < 0 || !header.startsWith('YUV4MPEG2 ')) throw new TypeError(`${path}: not a YUV4MPEG2 file`);
    const tags = Object.fromEntries(header.split(' ').slice(1).map((tag) => [tag[0], tag.slice(1)]));
    const width = Number(tags.W);
    const height = Number(tags.H);
    const [num, den] = (tags.F ?? '30:1').split(':').map(Number);
    const fps = num! / (den || 1);
    const colour = tags.C ?? '420';
    if (!colour.startsWith('420')) throw new TypeError(`${path}: only 4:2:0 y4m is supported (C${colour})`);
    if (!(width > 0 && height > 0 && fps > 0)) throw new TypeError(`${path}: bad y4m header "${header}"`);
    // Each frame: "FRAME" + optional params + "\n", then Y, U, V planes.
    const frameHeader = Buffer.alloc(64);
    await file.read(frameHeader, 0, 64, end + 1);
    const frameLine = frameHeader.indexOf(0x0a) + 1;
    const frameBytes = frameLine + (width * height * 3) / 2;
    const { size } = await stat(path);
    const frames = Math.floor((size - end - 1) / frameBytes);
    return { format: 'y4m', width, height, fps, frames, durationMs: (frames * 1000) / fps };
  } finally {
    await file.close();
  }
}

async function readMjpegInfo(path: string): Promise<ClipInfo> {
  const bytes = await readFile(path);
  let frames = 0;
  let width = 0;
  let height = 0;
  for (let i = 0; i + 1 < bytes.length; i++) {
    if (bytes[i] !== 0xff) continue;
    const marker = bytes[i + 1]!;
    if (marker === 0xd8) frames++;
    // Baseline or progressive start-of-frame carries the size.
    if ((marker === 0xc0 || marker === 0xc2) && width === 0 && i + 9 < bytes.length) {
      height = bytes.readUInt16BE(i + 5);
      width = bytes.readUInt16BE(i + 7);
    }
  }
  if (frames === 0) throw new TypeError(`${path}: no JPEG frames found`);
  return { format: 'mjpeg', width, height, fps: MJPEG_FPS, frames, durationMs: (frames * 1000) / MJPEG_FPS };
}
