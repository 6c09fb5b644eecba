// Face matching inside the vision worker: TensorFlow.js, FaceRes and the crop warp. The
// worker imports this module lazily (its own chunk, vision.worker-match.js), so sessions
// that never match never download it.
import { alignFace, createFaceEmbedder, FACE_WASM_FILES, type FaceEmbedder, type FacePixels } from '@facepay/face';
import { ErrorCode, FACE_CROP_SIZE, FacePayError } from '@facepay/protocol';
import { assertReachable } from './assets.js';
import type { Frame } from './landmarker.js';

/** Where the match assets are, resolved to absolute URLs by the worker. */
export interface MatchAssetUrls {
  topology: string;
  weights: string;
  /** Folder holding FACE_WASM_FILES, ending in '/'. */
  wasmBase: string;
  sha256?: { topology: string; weights: string };
}

/** The loaded matcher: warp (synchronous, while the frame is open), then embed. */
export interface MatchEngine {
  /** Draws the aligned FACE_CROP_SIZE² crop of the face; does not close the frame. */
  crop(frame: Frame, landmarks: Float32Array, width: number, height: number): OffscreenCanvas;
  /** The crop's template and, when asked, its JPEG bytes. */
  embed(crop: OffscreenCanvas, jpeg: boolean): Promise<{ template: Float32Array; jpeg?: Uint8Array; embedMs: number }>;
  close(): void;
}

/** Crops travel as JPEG at this quality (frames mode): ~10–15 kB for a 224² face. */
export const CROP_JPEG_QUALITY = 0.85;

/** Every URL the engine fetches: the worker's network guard lets these through. */
export function matchAssetList(urls: MatchAssetUrls): string[] {
  return [urls.topology, urls.weights, ...Object.values(FACE_WASM_FILES).map((file) => urls.wasmBase + file)];
}

export async function createMatchEngine(urls: MatchAssetUrls): Promise<MatchEngine> {
  if (typeof OffscreenCanvas === 'undefined') {
    throw new FacePayError(ErrorCode.UnsupportedBrowser, 'Face matching needs OffscreenCanvas in the worker');
  }
  // tfjs-backend-wasm reports a missing binary only as a failed start, after which it cannot
  // start again in this worker; checking first gives `asset-missing` and keeps retries possible.
  await Promise.all(Object.values(FACE_WASM_FILES).map((file) => assertReachable(urls.wasmBase + file)));
  const [modelJson, weights] = await Promise.all([fetchBytes(urls.topology), fetchBytes(urls.weights)]);
  const embedder: FaceEmbedder = await createFaceEmbedder({
    modelJson,
    weights,
    wasmPaths: urls.wasmBase,
    files: { topology: urls.topology, weights: urls.weights },
    ...(urls.sha256 ? { sha256: urls.sha256 } : {}),
  });
  const canvas = new OffscreenCanvas(FACE_CROP_SIZE, FACE_CROP_SIZE);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new FacePayError(ErrorCode.UnsupportedBrowser, 'No 2D context on OffscreenCanvas in the worker');

  return {
    crop(frame, landmarks, width, height) {
      const transform = alignFace(landmarks, width, height);
      context.setTransform(1, 0, 0, 1, 0, 0);
      // Outside the frame is black, as Human's crops (tf.image.cropAndResize) are.
      context.fillStyle = '#000';
      context.fillRect(0, 0, FACE_CROP_SIZE, FACE_CROP_SIZE);
      context.imageSmoothingQuality = 'high';
      context.setTransform(...transform);
      context.drawImage(frame, 0, 0, width, height);
      context.setTransform(1, 0, 0, 1, 0, 0);
      return canvas;
    },
    async embed(crop, jpeg) {
      const image = crop.getContext('2d', { willReadFrequently: true })!.getImageData(0, 0, FACE_CROP_SIZE, FACE_CROP_SIZE);
      const pixels: FacePixels = { data: image.data, width: image.width, height: image.height };
      // Encode first: the next frame's crop reuses the canvas once this call has returned.
      const bytes = jpeg ? crop.convertToBlob({ type: 'image/jpeg', quality: CROP_JPEG_QUALITY }).then((blob) => blob.arrayBuffer()) : undefined;
      const start = performance.now();
      const template = await embedder.embed(pixels);
      const embedMs = performance.now() - start;
      return bytes ? { template, jpeg: new Uint8Array(await bytes), embedMs } : { template, embedMs };
    },
    close() {
      embedder.dispose();
    },
  };
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (cause) {
    throw new FacePayError(ErrorCode.AssetMissing, `Could not fetch ${url}: ${String(cause)}`, { file: url, cause });
  }
  if (!response.ok) throw new FacePayError(ErrorCode.AssetMissing, `Could not fetch ${url}: HTTP ${response.status}`, { file: url });
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch (cause) {
    throw new FacePayError(ErrorCode.AssetMissing, `Download of ${url} broke off: ${String(cause)}`, { file: url, cause });
  }
}
