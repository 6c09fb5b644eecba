import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { ErrorCode, FACE_CROP_SIZE, FACE_MODEL_ID, FACE_TEMPLATE_DIMS, FacePayError } from '@facepay/protocol';
import { asUint8, EMBEDDING_NODE, FACE_MODEL_FILES, verifyFile, type Bytes } from './model.js';
import { l2Normalize } from './similarity.js';

/** RGBA pixels, row by row, as `ImageData` or a decoded JPEG holds them. */
export interface FacePixels {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

/** Turns aligned FACE_CROP_SIZE² face crops into templates. */
export interface FaceEmbedder {
  readonly model: typeof FACE_MODEL_ID;
  /**
   * The crop's template: FACE_TEMPLATE_DIMS values, L2-normalised. The crop must be
   * FACE_CROP_SIZE² RGBA (alpha ignored), aligned with `alignFace`; anything else is a
   * `TypeError`. Fails with `inference-failed`, or `not-initialized` after `dispose()`.
   */
  embed(pixels: FacePixels): Promise<Float32Array>;
  /** Frees the model's weights; later `embed` calls fail with `not-initialized`. */
  dispose(): void;
}

export interface FaceEmbedderOptions {
  /** The bytes (or text) of `faceres.json`. */
  modelJson: Bytes | string;
  /** The bytes of `faceres.bin`. */
  weights: Bytes;
  /**
   * Where the TensorFlow.js wasm binaries are: a folder (URL or, in Node, a path) ending in
   * '/', holding FACE_WASM_FILES, or a map from each binary's name to its URL. Used by the
   * first embedder of a JavaScript realm; the backend then stays up for later ones.
   */
  wasmPaths: string | Record<string, string>;
  /** Names (URLs, paths) of the two files, for error messages. Default: their file names. */
  files?: { topology?: string; weights?: string };
  /** Expected sha256 of the two files; default: the pinned FACE_MODEL_FILES. For tests. */
  sha256?: { topology: string; weights: string };
}

let backend: Promise<void> | undefined;

/**
 * Starts the wasm backend once per realm. A failure is kept: after an aborted start
 * tfjs-backend-wasm neither accepts new paths nor reports a second failure (it would hang),
 * so a fresh worker (or process) is the way to try again.
 */
function startBackend(wasmPaths: string | Record<string, string>): Promise<void> {
  backend ??= (async () => {
    try {
      // Threads need cross-origin isolation and a binary we do not ship.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      setWasmPaths(typeof wasmPaths === 'string' ? wasmPaths.replace(/\/?$/, '/') : { 'tfjs-backend-wasm-threaded-simd.wasm': wasmPaths['tfjs-backend-wasm-simd.wasm'] ?? '', ...wasmPaths });
      const started = await keepProcessHandlers(() => tf.setBackend('wasm'));
      if (!started) throw new Error('tf.setBackend("wasm") failed (are the wasm binaries reachable?)');
      await tf.ready();
    } catch (cause) {
      throw new FacePayError(ErrorCode.ModelLoadFailed, `The TensorFlow.js wasm backend could not start: ${describe(cause)}`, { cause });
    }
  })();
  return backend;
}

/**
 * In Node, Emscripten's glue adds process handlers that rethrow every uncaught exception and
 * unhandled rejection, overriding whatever the host (a server) decided to do with them.
 * The host's own handlers stay; the ones added while the backend starts are removed.
 */
async function keepProcessHandlers<T>(start: () => Promise<T>): Promise<T> {
  const proc = (globalThis as { process?: NodeLikeProcess }).process;
  if (typeof proc?.listeners !== 'function') return start();
  const events = ['uncaughtException', 'unhandledRejection'] as const;
  const before = events.map((event) => proc.listeners(event));
  try {
    return await start();
  } finally {
    events.forEach((event, i) => {
      for (const listener of proc.listeners(event)) if (!before[i]!.includes(listener)) proc.removeListener(event, listener);
    });
  }
}

interface NodeLikeProcess {
  listeners(event: string): Array<(...args: unknown[]) => void>;
  removeListener(event: string, listener: (...args: unknown[]) => void): void;
}

/**
 * Loads FaceRes on the TensorFlow.js wasm backend from the model's bytes, after checking
 * their sha256 (`asset-corrupt`), and runs it once. Fails with `model-load-failed` when the
 * backend or the graph cannot start. Runs in a worker, on a page or in Node.
 */
export async function createFaceEmbedder(options: FaceEmbedderOptions): Promise<FaceEmbedder> {
  const topologyBytes = typeof options.modelJson === 'string' ? new TextEncoder().encode(options.modelJson) : asUint8(options.modelJson);
  const weights = asUint8(options.weights);
  const topologyName = options.files?.topology ?? FACE_MODEL_FILES.topology.file;
  const weightsName = options.files?.weights ?? FACE_MODEL_FILES.weights.file;
  await verifyFile(topologyBytes, options.sha256?.topology ?? FACE_MODEL_FILES.topology.sha256, topologyName);
  await verifyFile(weights, options.sha256?.weights ?? FACE_MODEL_FILES.weights.sha256, weightsName);
  await startBackend(options.wasmPaths);

  let model: GraphModel | undefined;
  try {
    const json = JSON.parse(new TextDecoder().decode(topologyBytes)) as {
      modelTopology: unknown;
      weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }>;
    };
    const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
    const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
    model = await loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology as object, weightSpecs, weightData }));
    // The first run sets up kernels (~2× a normal run); pay it here, and prove the graph works.
    await run(model, new Float32Array(FACE_CROP_SIZE * FACE_CROP_SIZE * 3));
  } catch (cause) {
    model?.dispose();
    throw new FacePayError(ErrorCode.ModelLoadFailed, `FaceRes could not load from ${topologyName}: ${describe(cause)}`, {
      file: topologyName,
      cause,
    });
  }

  let loaded: GraphModel | undefined = model;
  return {
    model: FACE_MODEL_ID,
    async embed(pixels) {
      const input = toInput(pixels);
      if (!loaded) throw new FacePayError(ErrorCode.NotInitialized, 'embed() called after dispose()');
      let template: Float32Array;
      try {
        template = await run(loaded, input);
      } catch (cause) {
        throw new FacePayError(ErrorCode.InferenceFailed, `FaceRes failed: ${describe(cause)}`, { cause });
      }
      if (template.length !== FACE_TEMPLATE_DIMS || !l2Normalize(template)) {
        throw new FacePayError(ErrorCode.InferenceFailed, `FaceRes gave an unusable template (${template.length} values, zero or not finite)`);
      }
      return template;
    },
    dispose() {
      loaded?.dispose();
      loaded = undefined;
    },
  };
}

/** One forward pass to the embedding node, on input prepared by `toInput`. */
async function run(model: GraphModel, values: Float32Array): Promise<Float32Array> {
  const input = tf.tensor4d(values, [1, FACE_CROP_SIZE, FACE_CROP_SIZE, 3]);
  let output: tf.Tensor | undefined;
  try {
    output = model.execute(input, EMBEDDING_NODE) as tf.Tensor;
    return new Float32Array(await output.data());
  } finally {
    input.dispose();
    output?.dispose();
  }
}

/**
 * The model's input as its authors feed it (HSE_FaceRec_tf, facial_analysis.py): BGR, the
 * VGGFace2 channel means subtracted (Keras "caffe" preprocessing). Human feeds plain RGB
 * 0..255; on our genuine/impostor pairs that separated faces less well (docs/face-match.md).
 */
const MEAN_BGR = [103.939, 116.779, 123.68] as const;

function toInput(pixels: FacePixels): Float32Array {
  const { data, width, height } = pixels ?? {};
  if (width !== FACE_CROP_SIZE || height !== FACE_CROP_SIZE || !data || data.length !== width * height * 4) {
    throw new TypeError(`embed() takes ${FACE_CROP_SIZE}×${FACE_CROP_SIZE} RGBA pixels, got ${width}×${height} with ${data?.length} bytes`);
  }
  const input = new Float32Array(width * height * 3);
  for (let i = 0, j = 0; i < data.length; i += 4, j += 3) {
    input[j] = data[i + 2]! - MEAN_BGR[0];
    input[j + 1] = data[i + 1]! - MEAN_BGR[1];
    input[j + 2] = data[i]! - MEAN_BGR[2];
  }
  return input;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}
