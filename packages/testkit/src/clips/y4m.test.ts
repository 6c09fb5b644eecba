import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readY4m, y4mHeader, Y4mWriter } from './y4m.js';
import { i420ToRgba, toI420 } from './yuv.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facepay-y4m-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('y4m', () => {
  it('writes the header Chromium and ffmpeg read, and reads back what it wrote', async () => {
    const path = join(dir, 'a.y4m');
    const writer = new Y4mWriter(path, 4, 2, 30);
    const frames = [0, 1, 2].map((k) => Uint8Array.from({ length: 12 }, (_, i) => k * 20 + i));
    for (const frame of frames) writer.write(frame);
    writer.close();
    const bytes = await readFile(path);
    expect(bytes.subarray(0, 41).toString('latin1')).toBe('YUV4MPEG2 W4 H2 F30:1 Ip A1:1 C420\nFRAME\n');
    const clip = await readY4m(path);
    expect([clip.width, clip.height, clip.fps, clip.frameCount]).toEqual([4, 2, 30, 3]);
    frames.forEach((frame, i) => expect(Array.from(clip.frame(i))).toEqual(Array.from(frame)));
    expect(() => clip.frame(3)).toThrow(RangeError);
  });

  it("reads ffmpeg's flavour (C420jpeg, frame parameters, fractional rate)", async () => {
    const path = join(dir, 'b.y4m');
    const header = 'YUV4MPEG2 W2 H2 F30000:1001 It A1:1 C420jpeg XYSCSS=420JPEG\n';
    await writeFile(path, Buffer.concat([Buffer.from(header), Buffer.from('FRAME Ixyz\n'), Buffer.alloc(6, 7)]));
    const clip = await readY4m(path);
    expect(clip.fps).toBeCloseTo(29.97, 2);
    expect(Array.from(clip.frame(0))).toEqual([7, 7, 7, 7, 7, 7]);
  });

  it('refuses other chroma layouts and truncated files', async () => {
    const wide = join(dir, 'c.y4m');
    await writeFile(wide, `${y4mHeader(2, 2, 30).replace('C420', 'C444')}FRAME\n${'x'.repeat(12)}`);
    await expect(readY4m(wide)).rejects.toThrow(/only 4:2:0/);
    const cut = join(dir, 'd.y4m');
    await writeFile(cut, `${y4mHeader(2, 2, 30)}FRAME\nxyz`);
    await expect(readY4m(cut)).rejects.toThrow(/truncated frame 0/);
  });
});

describe('yuv', () => {
  it('round-trips colours through I420 within rounding (flat 2×2 blocks, so chroma is exact)', () => {
    const colours = [
      [0, 0, 0],
      [255, 255, 255],
      [200, 150, 120],
      [30, 60, 200],
      [250, 20, 20],
      [128, 128, 128],
    ];
    const width = colours.length * 2;
    const rgba = new Uint8ClampedArray(width * 2 * 4);
    for (let y = 0; y < 2; y++) {
      for (let x = 0; x < width; x++) rgba.set([...colours[x >> 1]!, 255], (y * width + x) * 4);
    }
    const back = i420ToRgba(toI420(rgba, width, 2), width, 2);
    for (let i = 0; i < rgba.length; i++) expect(Math.abs(back[i]! - rgba[i]!), `byte ${i}`).toBeLessThanOrEqual(3);
  });

  it('uses limited range: black is Y 16, white Y 235', () => {
    const black = toI420(new Uint8ClampedArray(16).fill(0).map((_, i) => (i % 4 === 3 ? 255 : 0)), 2, 2);
    const white = toI420(new Uint8ClampedArray(16).fill(255), 2, 2);
    expect([black[0], black[4], black[5]]).toEqual([16, 128, 128]);
    expect([white[0], white[4], white[5]]).toEqual([235, 128, 128]);
  });
});
