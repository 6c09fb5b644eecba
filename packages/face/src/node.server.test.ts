import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, FACE_CROP_SIZE, FACE_TEMPLATE_DIMS, FacePayError, MATCH_MAX_CROP_CHARS } from '@facepay/protocol';
import { FACES } from '@facepay/testkit';
import {
  alignFace,
  createFaceEmbedder,
  cropFace,
  cosineSimilarity,
  CROP_CONSISTENCY_THRESHOLD,
  decodeCrop,
  encodeCrop,
  FACE_MODEL_FILES,
  loadNodeEmbedder,
  MATCH_THRESHOLD,
  type AffineTransform,
  type FaceEmbedder,
  type FacePixels,
} from './node.js';

// The real FaceRes on the wasm backend under Node, on the two test portraits.

type Image = { data: Uint8Array | Uint8ClampedArray; width: number; height: number };

/**
 * The points alignFace reads (eye corners, mouth corners; normalised), as the vision worker
 * found them on each portrait, so these tests need no browser.
 */
const PORTRAITS = {
  grace: {
    file: 'grace_hopper.jpg',
    points: { 33: [0.40476, 0.32256], 133: [0.46974, 0.32625], 362: [0.56426, 0.32125], 263: [0.62889, 0.31113], 61: [0.45711, 0.46566], 291: [0.59085, 0.46124] },
  },
  xmorph: {
    file: 'xmorph-ad-1.png',
    points: { 33: [0.27471, 0.50697], 133: [0.4088, 0.51141], 362: [0.56965, 0.51219], 263: [0.68441, 0.51247], 61: [0.33446, 0.7233], 291: [0.61981, 0.73213] },
  },
} as const;

async function readPortrait(file: string): Promise<Image> {
  const path = join(FACES, file);
  if (file.endsWith('.jpg')) return jpeg.decode(await readFile(path), { useTArray: true, formatAsRGBA: true });
  const probe = await promisify(execFile)('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', path]);
  const [width, height] = probe.stdout.trim().split(',').map(Number) as [number, number];
  const { stdout } = await promisify(execFile)('ffmpeg', ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], {
    encoding: 'buffer',
    maxBuffer: 64 << 20,
  });
  return { data: new Uint8Array(stdout), width, height };
}

function transformOf(points: Record<number, readonly [number, number]>, image: Image): AffineTransform {
  const landmarks = new Float32Array(478 * 3);
  for (const [index, [x, y]] of Object.entries(points)) landmarks.set([x, y, 0], Number(index) * 3);
  return alignFace(landmarks, image.width, image.height);
}

function brighter(image: Image, factor: number): Image {
  const data = new Uint8ClampedArray(image.data.length);
  for (let i = 0; i < data.length; i++) data[i] = i % 4 === 3 ? image.data[i]! : image.data[i]! * factor;
  return { data, width: image.width, height: image.height };
}

function shifted(t: AffineTransform, dx: number, dy: number): AffineTransform {
  return [t[0], t[1], t[2], t[3], t[4] + dx, t[5] + dy];
}

let embedder: FaceEmbedder;
const images: Partial<Record<keyof typeof PORTRAITS, Image>> = {};
const crops: Partial<Record<keyof typeof PORTRAITS, FacePixels>> = {};
const templates: Partial<Record<keyof typeof PORTRAITS, Float32Array>> = {};
let tmp: string;

beforeAll(async () => {
  embedder = await loadNodeEmbedder();
  for (const id of ['grace', 'xmorph'] as const) {
    const image = await readPortrait(PORTRAITS[id].file);
    images[id] = image;
    crops[id] = cropFace(image, transformOf(PORTRAITS[id].points, image));
    templates[id] = await embedder.embed(crops[id]!);
  }
  tmp = await mkdtemp(join(tmpdir(), 'facepay-face-'));
});

afterAll(async () => {
  embedder?.dispose();
  await rm(tmp, { recursive: true, force: true });
});

describe('the Node embedder', () => {
  it('turns an aligned crop into FACE_TEMPLATE_DIMS finite values of unit length', () => {
    const template = templates.grace!;
    expect(embedder.model).toBe('faceres-1');
    expect(template).toBeInstanceOf(Float32Array);
    expect(template).toHaveLength(FACE_TEMPLATE_DIMS);
    expect(template.every(Number.isFinite)).toBe(true);
    expect(Math.hypot(...template)).toBeCloseTo(1, 5);
  });

  it('scores the same portrait shifted, brighter or re-encoded above MATCH_THRESHOLD, the other person below', async () => {
    for (const id of ['grace', 'xmorph'] as const) {
      const image = images[id]!;
      const t = transformOf(PORTRAITS[id].points, image);
      const variants = {
        shifted: cropFace(image, shifted(t, 3, -2)),
        brighter: cropFace(brighter(image, 1.2), t),
        jpeg: decodeCrop(encodeCrop(crops[id]!, 70)),
      };
      for (const [name, crop] of Object.entries(variants)) {
        const score = cosineSimilarity(templates[id]!, await embedder.embed(crop));
        expect(score, `${id} ${name}`).toBeGreaterThanOrEqual(MATCH_THRESHOLD);
        const other = id === 'grace' ? templates.xmorph! : templates.grace!;
        expect(cosineSimilarity(other, await embedder.embed(crop)), `${id} ${name} vs the other person`).toBeLessThan(MATCH_THRESHOLD);
      }
    }
    expect(cosineSimilarity(templates.grace!, templates.xmorph!)).toBeLessThan(MATCH_THRESHOLD);
  });

  it("keeps a crop's template through the JPEG round trip, and a forged one falls below CROP_CONSISTENCY_THRESHOLD", async () => {
    const sent = encodeCrop(crops.grace!);
    expect(sent.length).toBeLessThan(MATCH_MAX_CROP_CHARS);
    const recomputed = await embedder.embed(decodeCrop(sent));
    expect(cosineSimilarity(templates.grace!, recomputed)).toBeGreaterThanOrEqual(CROP_CONSISTENCY_THRESHOLD);
    // Another face's template sent with this crop.
    expect(cosineSimilarity(templates.xmorph!, recomputed)).toBeLessThan(CROP_CONSISTENCY_THRESHOLD);
  });

  it('refuses a crop of another size with a TypeError, and embeds nothing after dispose()', async () => {
    await expect(embedder.embed({ data: new Uint8Array(100 * 100 * 4), width: 100, height: 100 })).rejects.toThrow(TypeError);
    const second = await loadNodeEmbedder();
    second.dispose();
    await expect(second.embed(crops.grace!)).rejects.toMatchObject({ code: ErrorCode.NotInitialized });
  });

  it('leaves no process-wide exception handlers behind', () => {
    // Emscripten's Node glue adds handlers that rethrow; a server keeps its own policy.
    expect(process.listeners('uncaughtException').map(String).join()).not.toMatch(/ExitStatus/);
    expect(process.listeners('unhandledRejection').map(String).join()).not.toMatch(/throw reason/);
  });
});

describe('model files', () => {
  it('fails with asset-missing when the model folder is empty', async () => {
    await expect(loadNodeEmbedder({ modelDir: tmp })).rejects.toMatchObject({ code: ErrorCode.AssetMissing });
  });

  it('fails with asset-corrupt, naming the file, when the weights are not the pinned ones', async () => {
    const dir = join(tmp, 'corrupt');
    await cp(join(import.meta.dirname, '..', 'dist', 'models'), dir, { recursive: true });
    const weights = await readFile(join(dir, FACE_MODEL_FILES.weights.file));
    weights[1000] = weights[1000]! ^ 0xff;
    await writeFile(join(dir, FACE_MODEL_FILES.weights.file), weights);
    const error = await loadNodeEmbedder({ modelDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FacePayError);
    expect(error).toMatchObject({ code: ErrorCode.AssetCorrupt, file: join(dir, FACE_MODEL_FILES.weights.file) });
  });

  it('fails with model-load-failed when files that pass their hashes are not a model', async () => {
    const modelJson = '{"modelTopology": {"node": [{"name": "x", "op": "NoSuchOp"}]}, "weightsManifest": [{"weights": []}]}';
    const weights = new Uint8Array(8);
    const digest = async (bytes: Uint8Array<ArrayBuffer>) => Buffer.from(await crypto.subtle.digest('SHA-256', bytes)).toString('hex');
    const sha256 = { topology: await digest(new TextEncoder().encode(modelJson)), weights: await digest(weights) };
    await expect(createFaceEmbedder({ modelJson, weights, wasmPaths: '', sha256 })).rejects.toMatchObject({ code: ErrorCode.ModelLoadFailed });
  });
});

describe('decodeCrop', () => {
  const crop = (width: number, height: number, quality = 85): string =>
    jpeg.encode({ data: new Uint8Array(width * height * 4).fill(128), width, height }, quality).data.toString('base64');

  it('decodes a FACE_CROP_SIZE² JPEG to RGBA', () => {
    const pixels = decodeCrop(crop(FACE_CROP_SIZE, FACE_CROP_SIZE));
    expect(pixels.width).toBe(FACE_CROP_SIZE);
    expect(pixels.height).toBe(FACE_CROP_SIZE);
    expect(pixels.data).toHaveLength(FACE_CROP_SIZE * FACE_CROP_SIZE * 4);
    expect(Math.abs(pixels.data[0]! - 128)).toBeLessThan(4);
  });

  const invalid: Array<[string, () => string]> = [
    ['empty', () => ''],
    ['not base64', () => 'not base64!'],
    ['longer than MATCH_MAX_CROP_CHARS', () => 'A'.repeat(MATCH_MAX_CROP_CHARS + 4)],
    ['not a JPEG (PNG signature)', () => Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64')],
    ['another size', () => crop(100, 120)],
    ['truncated', () => Buffer.from(crop(FACE_CROP_SIZE, FACE_CROP_SIZE), 'base64').subarray(0, 300).toString('base64')],
    ['garbage after the JPEG marker', () => Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.alloc(3000, 0x5a)]).toString('base64')],
    [
      'a header claiming 60000×60000',
      () => {
        const bytes = Buffer.from(crop(FACE_CROP_SIZE, FACE_CROP_SIZE), 'base64');
        const sof = bytes.indexOf(Buffer.from([0xff, 0xc0]));
        bytes.writeUInt16BE(60000, sof + 5);
        bytes.writeUInt16BE(60000, sof + 7);
        return bytes.toString('base64');
      },
    ],
  ];
  for (const [name, make] of invalid) {
    it(`refuses ${name} with crop-invalid`, () => {
      const error = (() => {
        try {
          decodeCrop(make());
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(FacePayError);
      expect((error as FacePayError).code).toBe(ErrorCode.CropInvalid);
    });
  }

  it('returns or refuses, never hangs, on random bytes after a JPEG header', () => {
    const header = Buffer.from(crop(FACE_CROP_SIZE, FACE_CROP_SIZE), 'base64').subarray(0, 600);
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 256;
    for (let round = 0; round < 40; round++) {
      const body = Buffer.from(Array.from({ length: 4000 }, random));
      try {
        decodeCrop(Buffer.concat([header, body]).toString('base64'));
      } catch (error) {
        expect((error as FacePayError).code).toBe(ErrorCode.CropInvalid);
      }
    }
  });

  it('is a TypeError for a value that is not a string', () => {
    expect(() => decodeCrop(42 as unknown as string)).toThrow(TypeError);
  });
});
