import { closeSync, openSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/**
 * YUV4MPEG2 with planar 4:2:0 frames, the format Chromium's fake camera reads
 * (`--use-file-for-fake-video-capture=clip.y4m`).
 */
export function y4mHeader(width: number, height: number, fps: number): string {
  return `YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420\n`;
}

/** Writes frames as they come, in order, straight to the file. */
export class Y4mWriter {
  private readonly fd: number;
  private readonly frameBytes: number;
  count = 0;

  constructor(path: string, width: number, height: number, fps: number) {
    this.fd = openSync(path, 'w');
    this.frameBytes = (width * height * 3) / 2;
    writeSync(this.fd, y4mHeader(width, height, fps));
  }

  write(i420: Uint8Array): void {
    if (i420.byteLength !== this.frameBytes) {
      throw new TypeError(`y4m frame of ${i420.byteLength} bytes, expected ${this.frameBytes}`);
    }
    writeSync(this.fd, 'FRAME\n');
    writeSync(this.fd, i420);
    this.count++;
  }

  close(): void {
    closeSync(this.fd);
  }
}

export interface Y4mClip {
  width: number;
  height: number;
  fps: number;
  frameCount: number;
  /** Frame `i` as planar I420 (Y, then U, then V), a view into the file's bytes. */
  frame(i: number): Uint8Array;
}

/** Reads a whole 4:2:0 y4m file (any `C420*` colour tag, or none) into memory. */
export async function readY4m(path: string): Promise<Y4mClip> {
  const bytes = await readFile(path);
  const headerEnd = bytes.indexOf(0x0a);
  const header = bytes.subarray(0, headerEnd).toString('latin1').split(' ');
  if (header[0] !== 'YUV4MPEG2') throw new TypeError(`${path} is not a y4m file`);
  let width = 0;
  let height = 0;
  let fps = 0;
  for (const tag of header.slice(1)) {
    const value = tag.slice(1);
    if (tag[0] === 'W') width = Number(value);
    if (tag[0] === 'H') height = Number(value);
    if (tag[0] === 'F') {
      const [num, den] = value.split(':').map(Number);
      fps = num! / den!;
    }
    if (tag[0] === 'C' && !value.startsWith('420')) throw new TypeError(`${path}: colour space ${value}, only 4:2:0 is read`);
  }
  if (!width || !height || !fps) throw new TypeError(`${path}: header without size or rate`);
  const frameBytes = (width * height * 3) / 2;
  const offsets: number[] = [];
  let at = headerEnd + 1;
  while (at < bytes.length) {
    if (bytes.subarray(at, at + 5).toString('latin1') !== 'FRAME') throw new TypeError(`${path}: bad frame marker at byte ${at}`);
    const lineEnd = bytes.indexOf(0x0a, at);
    if (lineEnd + 1 + frameBytes > bytes.length) throw new TypeError(`${path}: truncated frame ${offsets.length}`);
    offsets.push(lineEnd + 1);
    at = lineEnd + 1 + frameBytes;
  }
  return {
    width,
    height,
    fps,
    frameCount: offsets.length,
    frame(i) {
      const offset = offsets[i];
      if (offset === undefined) throw new RangeError(`frame ${i} of ${offsets.length}`);
      return bytes.subarray(offset, offset + frameBytes);
    },
  };
}
