import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jpeg from 'jpeg-js';
import { ErrorCode, FACE_CROP_SIZE, FacePayError, MATCH_MAX_CROP_CHARS } from '@facepay/protocol';
import { createFaceEmbedder, type FaceEmbedder, type FacePixels } from './embedder.js';
import { FACE_MODEL_FILES } from './model.js';

export * from './index.js';

export interface NodeEmbedderOptions {
  /** Folder holding FACE_MODEL_FILES. Default: this package's `dist/models/`. */
  modelDir?: string;
}

/**
 * FaceRes under Node on the TensorFlow.js wasm backend, from the model files this package
 * ships (sha256-checked). Resolves to an embedder or fails with `asset-missing`,
 * `asset-corrupt` or `model-load-failed`. Loading takes about a second and ~30 MB: load once
 * per process and share it. `embed` calls are cheap to queue but run one at a time.
 */
export async function loadNodeEmbedder(options: NodeEmbedderOptions = {}): Promise<FaceEmbedder> {
  const dir = options.modelDir ?? defaultModelDir();
  const [modelJson, weights] = await Promise.all([readAsset(dir, FACE_MODEL_FILES.topology.file), readAsset(dir, FACE_MODEL_FILES.weights.file)]);
  return createFaceEmbedder({
    modelJson,
    weights,
    wasmPaths: wasmDir(),
    files: { topology: join(dir, FACE_MODEL_FILES.topology.file), weights: join(dir, FACE_MODEL_FILES.weights.file) },
  });
}

/**
 * Built: `dist/models/` beside this file. From source (the `source` export condition, in
 * tests): the package's `dist/models/`, which `pnpm build` fills.
 */
function defaultModelDir(): string {
  const candidates = ['./models/', '../dist/models/'].map((path) => fileURLToPath(new URL(path, import.meta.url)));
  return candidates.find((dir) => existsSync(join(dir, FACE_MODEL_FILES.weights.file))) ?? candidates[0]!;
}

function wasmDir(): string {
  const manifest = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return join(dirname(manifest), 'wasm-out') + '/';
}

async function readAsset(dir: string, file: string): Promise<Uint8Array> {
  const path = join(dir, file);
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new FacePayError(ErrorCode.AssetMissing, `Could not read ${path} (run \`pnpm build\`?): ${String(cause)}`, { file: path, cause });
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes a `frames`-mode crop (base64 JPEG) to RGBA pixels. Fails with `crop-invalid` when
 * it is longer than MATCH_MAX_CROP_CHARS, not base64, not a JPEG, damaged, or not
 * FACE_CROP_SIZE²; the decoder's own limits keep a crafted header from allocating much.
 */
export function decodeCrop(base64Jpeg: string): FacePixels {
  if (typeof base64Jpeg !== 'string') throw new TypeError('decodeCrop takes a base64 string');
  if (base64Jpeg.length > MATCH_MAX_CROP_CHARS) {
    throw new FacePayError(ErrorCode.CropInvalid, `The crop has ${base64Jpeg.length} characters, more than ${MATCH_MAX_CROP_CHARS}`);
  }
  if (base64Jpeg.length === 0 || base64Jpeg.length % 4 !== 0 || !BASE64.test(base64Jpeg)) {
    throw new FacePayError(ErrorCode.CropInvalid, 'The crop is not base64');
  }
  const bytes = Buffer.from(base64Jpeg, 'base64');
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new FacePayError(ErrorCode.CropInvalid, 'The crop is not a JPEG');
  let image: { width: number; height: number; data: Uint8Array };
  try {
    image = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      // FACE_CROP_SIZE² is 0.05 MP; these stop a header claiming a huge image early.
      maxResolutionInMP: 0.25,
      maxMemoryUsageInMB: 16,
    });
  } catch (cause) {
    throw new FacePayError(ErrorCode.CropInvalid, `The crop is not a readable JPEG: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  if (image.width !== FACE_CROP_SIZE || image.height !== FACE_CROP_SIZE || image.data.length !== FACE_CROP_SIZE * FACE_CROP_SIZE * 4) {
    throw new FacePayError(ErrorCode.CropInvalid, `The crop is ${image.width}×${image.height}, not ${FACE_CROP_SIZE}×${FACE_CROP_SIZE}`);
  }
  return { data: image.data, width: image.width, height: image.height };
}

/** Encodes RGBA pixels as a base64 JPEG (quality 0..100, default 85, as the worker's crops). */
export function encodeCrop(pixels: FacePixels, quality = 85): string {
  const { data, width, height } = pixels;
  if (!(width > 0 && height > 0) || data.length !== width * height * 4) throw new TypeError(`encodeCrop: ${width}×${height} RGBA needs ${width * height * 4} bytes, got ${data.length}`);
  return jpeg.encode({ data, width, height }, quality).data.toString('base64');
}
