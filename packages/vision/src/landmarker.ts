import { FaceLandmarker, FilesetResolver, type FaceLandmarkerResult } from '@mediapipe/tasks-vision';
import { BLENDSHAPE_NAMES, ErrorCode, FacePayError, LANDMARK_COUNT } from '@facepay/protocol';
import type { FaceObservation, Observation } from '@facepay/protocol';
import { assertReachable, FACE_LANDMARKER_MODEL, fetchVerified, WASM_FILES, type AssetProgress } from './assets.js';
import { frameLuma } from './luma.js';
import { poseFromMatrix } from './pose.js';
import { faceMoireScore } from './screen.js';
import { Delegate } from './results.js';

export interface EngineOptions {
  /** Folder with MediaPipe's wasm files. Default: `wasm/` beside the running script. */
  wasmBaseUrl?: string;
  /** The model file. Default: `models/face_landmarker.task` beside the running script. */
  modelUrl?: string;
  /** Expected sha256 of the model; default: the pinned Face Landmarker v1 float16. */
  modelSha256?: string;
  /** `auto` (default) tries a hardware GPU and falls back to the CPU. */
  delegate?: Delegate;
  /** Faces to look for; 2 (default) so a second face in the frame is seen, not ignored. */
  maxFaces?: number;
}

export type Frame = ImageBitmap | VideoFrame;

/** FaceLandmarker in VIDEO mode, turning frames into `Observation`s. Runs in a worker or on a page. */
export interface FaceEngine {
  readonly delegate: 'GPU' | 'CPU';
  /** Landmarks one frame. Does not close the frame. */
  detect(frame: Frame, timestampMs: number): Observation;
  close(): void;
}

const here = import.meta.url;

/** Where the engine loads its wasm (a folder, ending in '/') and its model from. */
export function assetUrls(options: EngineOptions = {}): { wasmBase: string; modelUrl: string } {
  return {
    wasmBase: new URL(options.wasmBaseUrl ?? './wasm/', here).href.replace(/\/?$/, '/'),
    modelUrl: new URL(options.modelUrl ?? `./models/${FACE_LANDMARKER_MODEL.file}`, here).href,
  };
}

export async function createFaceEngine(
  options: EngineOptions = {},
  onProgress?: (progress: AssetProgress) => void,
): Promise<FaceEngine> {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') {
    throw new FacePayError(ErrorCode.WasmUnsupported, 'WebAssembly is not available in this browser or context');
  }
  const { wasmBase, modelUrl } = assetUrls(options);

  onProgress?.({ stage: 'wasm', loaded: 0, total: 1 });
  await Promise.all([assertReachable(wasmBase + WASM_FILES.loader), assertReachable(wasmBase + WASM_FILES.binary)]);
  const fileset = await FilesetResolver.forVisionTasks(wasmBase.replace(/\/$/, ''), true);
  const pageLoader = typeof document === 'undefined' ? undefined : await importLoader(fileset.wasmLoaderPath);
  onProgress?.({ stage: 'wasm', loaded: 1, total: 1 });

  const model = await fetchVerified(modelUrl, options.modelSha256 ?? FACE_LANDMARKER_MODEL.sha256, (loaded, total) =>
    onProgress?.({ stage: 'model', loaded, total }),
  );

  onProgress?.({ stage: 'landmarker', loaded: 0, total: 1 });
  const wanted = options.delegate ?? Delegate.Auto;
  const order: Array<'GPU' | 'CPU'> =
    wanted === Delegate.CPU ? ['CPU'] : wanted === Delegate.GPU || hasHardwareGpu() ? ['GPU', 'CPU'] : ['CPU'];
  let lastError: unknown;
  for (const delegate of order) {
    try {
      if (pageLoader) (globalThis as { ModuleFactory?: unknown }).ModuleFactory = pageLoader;
      const landmarker = await FaceLandmarker.createFromOptions(pageLoader ? { ...fileset, wasmLoaderPath: '' } : fileset, {
        baseOptions: { modelAssetBuffer: model, delegate },
        runningMode: 'VIDEO',
        numFaces: options.maxFaces ?? 2,
        outputFaceBlendshapes: true,
        outputFacialTransformationMatrixes: true,
      });
      warmUp(landmarker);
      onProgress?.({ stage: 'landmarker', loaded: 1, total: 1 });
      return wrap(landmarker, delegate);
    } catch (cause) {
      lastError = cause;
    }
  }
  throw new FacePayError(ErrorCode.ModelLoadFailed, `FaceLandmarker could not start: ${describe(lastError)}`, {
    file: modelUrl,
    cause: lastError,
  });
}

/**
 * On a page MediaPipe loads its wasm loader as a classic `<script>`, where the module build
 * (the one a module Worker needs, and the only one we ship) fails on `import.meta`. So a page
 * imports it as a module, and hands its factory over the way the loader script itself would:
 * as `globalThis.ModuleFactory`, with no loader path left for MediaPipe to load. MediaPipe
 * clears that global after each use, hence the factory is kept and set before every create.
 */
async function importLoader(url: string): Promise<unknown> {
  try {
    const loader = (await import(/* @vite-ignore */ url)) as { default?: unknown };
    if (typeof loader.default !== 'function') throw new Error('it has no default export');
    return loader.default;
  } catch (cause) {
    throw new FacePayError(ErrorCode.AssetMissing, `Could not load the wasm loader ${url}: ${describe(cause)}`, { file: url, cause });
  }
}

function wrap(landmarker: FaceLandmarker, delegate: 'GPU' | 'CPU'): FaceEngine {
  return {
    delegate,
    detect(frame, timestampMs) {
      const width = 'displayWidth' in frame ? frame.displayWidth : frame.width;
      const height = 'displayHeight' in frame ? frame.displayHeight : frame.height;
      const start = performance.now();
      const result = landmarker.detectForVideo(frame, timestampMs);
      const inferenceMs = performance.now() - start;
      const faces = toFaces(result);
      for (const face of faces) {
        measureFaceLuma(frame, face, width, height);
        measureFaceScreen(frame, face, width, height);
      }
      return { timestampMs, width, height, faces, inferenceMs };
    },
    close() {
      landmarker.close();
    },
  };
}

/**
 * MediaPipe's first detection costs ~0.5 s more than the rest (graph and kernel set-up).
 * Paying it during init, on a blank frame at timestamp 0, keeps it out of the shopper's
 * first frames; real frames then need timestamps above 0.
 */
function warmUp(landmarker: FaceLandmarker): void {
  if (typeof OffscreenCanvas === 'undefined') return;
  const canvas = new OffscreenCanvas(64, 64);
  canvas.getContext('2d')?.fillRect(0, 0, 64, 64);
  const blank = canvas.transferToImageBitmap();
  try {
    landmarker.detectForVideo(blank, 0);
  } finally {
    blank.close();
  }
}

export function toFaces(result: FaceLandmarkerResult): FaceObservation[] {
  return result.faceLandmarks.map((points, i) => {
    const landmarks = new Float32Array(LANDMARK_COUNT * 3);
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    const n = Math.min(points.length, LANDMARK_COUNT);
    for (let p = 0; p < n; p++) {
      const { x, y, z } = points[p]!;
      landmarks[p * 3] = x;
      landmarks[p * 3 + 1] = y;
      landmarks[p * 3 + 2] = z;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    const blendshapes = new Float32Array(BLENDSHAPE_NAMES.length);
    for (const category of result.faceBlendshapes[i]?.categories ?? []) {
      const index = (BLENDSHAPE_NAMES as readonly string[]).indexOf(category.categoryName);
      if (index >= 0) blendshapes[index] = category.score;
    }
    const matrix = new Float32Array(16);
    const data = result.facialTransformationMatrixes[i]?.data;
    if (data && data.length === 16) matrix.set(data);
    else matrix.set([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    return {
      box: { x: minX, y: minY, width: maxX - minX, height: maxY - minY },
      landmarks,
      blendshapes,
      matrix,
      pose: poseFromMatrix(matrix),
    };
  });
}

/**
 * Brightness inside the face box: what "too dark" is about. The whole frame misleads when
 * the background is dark or bright (a portrait against black is not a dark face).
 */
function measureFaceLuma(frame: Frame, face: FaceObservation, width: number, height: number): void {
  const x = Math.max(0, Math.floor(face.box.x * width));
  const y = Math.max(0, Math.floor(face.box.y * height));
  const w = Math.min(width - x, Math.ceil(face.box.width * width));
  const h = Math.min(height - y, Math.ceil(face.box.height * height));
  if (w < 2 || h < 2) return;
  const luma = frameLuma(frame, { x, y, width: w, height: h });
  if (luma !== undefined) face.luma = luma;
}

/** The screen (moiré) cue on the face, at the camera's resolution (see `screen.ts`). */
function measureFaceScreen(frame: Frame, face: FaceObservation, width: number, height: number): void {
  const box = { x: face.box.x * width, y: face.box.y * height, width: face.box.width * width, height: face.box.height * height };
  const screen = faceMoireScore(frame, { width, height }, box);
  if (screen !== undefined) face.screen = screen;
}

/** Software WebGL (SwiftShader, llvmpipe) is slower than MediaPipe's CPU path, so it does not count. */
function hasHardwareGpu(): boolean {
  try {
    if (typeof OffscreenCanvas === 'undefined') return false;
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
    if (!gl) return false;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return !/swiftshader|llvmpipe|software|basic render/i.test(renderer);
  } catch {
    return false;
  }
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
