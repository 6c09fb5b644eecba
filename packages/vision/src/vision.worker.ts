import { expose, transfer } from 'comlink';
import { ErrorCode, FacePayError } from '@facepay/protocol';
import type { ErrorInfo, Observation } from '@facepay/protocol';
import { assetUrls, createFaceEngine, describe, type FaceEngine, type Frame } from './landmarker.js';
import { closeMatch, embedKept, keepCrop, keptBuffers, matchBuffers, pinKept, prepareMatch, startMatch } from './matching.js';
import {
  ProcessStatus,
  type EmbedKeptResult,
  type FaceMatch,
  type InitOptions,
  type InitResult,
  type PrepareMatchOptions,
  type PrepareMatchResult,
  type ProcessOptions,
  type ProcessResult,
  type ProgressCallback,
  type WorkerStats,
} from './results.js';

let engine: FaceEngine | undefined;
let initializing: Promise<InitResult> | undefined;
// The engine's warm-up used timestamp 0 (see `warmUp`).
let lastTimestamp = 0;
const stats: WorkerStats = { received: 0, processed: 0, closed: 0, blockedRequests: 0 };

/**
 * The worker fetches its own assets and nothing else. MediaPipe's tasks post usage logs
 * to Google (odml.pa.googleapis.com) from inside the worker, where the page's CSP does not
 * reach; shoppers were promised that nothing leaves the device, so every other request is
 * refused here, before it is made.
 */
const allowedPrefixes: string[] = [];
const nativeFetch = globalThis.fetch.bind(globalThis);
globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  const url = new URL(input instanceof Request ? input.url : String(input), self.location.href).href;
  if (allowedPrefixes.some((prefix) => url === prefix || url.startsWith(prefix))) return nativeFetch(input, init);
  stats.blockedRequests++;
  return Promise.reject(new TypeError(`facepay's vision worker only fetches its own assets; refused ${new URL(url).origin}`));
};

function toInfo(error: unknown, fallback: ErrorCode): ErrorInfo {
  if (error instanceof FacePayError) return error.toJSON();
  return { code: fallback, message: describe(error) };
}

function closeFrame(frame: unknown): void {
  try {
    (frame as Frame).close();
    stats.closed++;
  } catch {
    // Not a frame at all: nothing to release.
  }
}

function isFrame(frame: unknown): frame is Frame {
  return (
    (typeof ImageBitmap !== 'undefined' && frame instanceof ImageBitmap && frame.width > 0) ||
    (typeof VideoFrame !== 'undefined' && frame instanceof VideoFrame && frame.displayWidth > 0)
  );
}

async function initOnce(options: InitOptions, onProgress?: ProgressCallback): Promise<InitResult> {
  const start = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new FacePayError(ErrorCode.InitTimeout, `Vision init did not finish within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  const { wasmBase, modelUrl } = assetUrls(options);
  allowedPrefixes.push(wasmBase, modelUrl);
  try {
    engine = await Promise.race([createFaceEngine(options, onProgress), timeout]);
    return { ok: true, delegate: engine.delegate, initMs: performance.now() - start };
  } catch (error) {
    return { ok: false, error: toInfo(error, ErrorCode.ModelLoadFailed) };
  } finally {
    clearTimeout(timer);
  }
}

const api = {
  /**
   * Loads the wasm and the model once; later calls share the first result. A failed init
   * may be retried. Resolves to the delegate in use or a coded error, never rejects.
   */
  init(options: InitOptions = {}, onProgress?: ProgressCallback): Promise<InitResult> {
    if (!initializing) {
      initializing = initOnce(options, onProgress).then((result) => {
        if (!result.ok) initializing = undefined;
        return result;
      });
    }
    return initializing;
  },

  /**
   * Loads face matching (TensorFlow.js and FaceRes, a chunk of its own) once; later calls
   * share the first result, a failed one may be retried. Resolves to a result, never rejects.
   */
  prepareMatch(options: PrepareMatchOptions = {}): Promise<PrepareMatchResult> {
    return prepareMatch(options, (urls) => allowedPrefixes.push(...urls));
  },

  /**
   * Landmarks one transferred frame and always closes it. Inference is synchronous, so the
   * worker handles one frame at a time; the page-side client keeps at most one in flight.
   * With `options.match`, a frame with exactly one face also gets its template (`match`).
   */
  process(frame: Frame, timestampMs: number, options?: ProcessOptions): ProcessResult | Promise<ProcessResult> {
    stats.received++;
    if (!isFrame(frame)) {
      closeFrame(frame);
      return error(ErrorCode.InvalidFrame, 'process() takes a non-empty ImageBitmap or VideoFrame');
    }
    if (!engine) {
      closeFrame(frame);
      return error(ErrorCode.NotInitialized, 'process() called before init() succeeded or after close()');
    }
    if (!(timestampMs > lastTimestamp)) {
      closeFrame(frame);
      return error(ErrorCode.TimestampNotMonotonic, `timestamp ${timestampMs} is not after ${lastTimestamp}`);
    }
    try {
      lastTimestamp = timestampMs;
      const observation = engine.detect(frame, timestampMs);
      stats.processed++;
      pinKept(options?.pin);
      const match = options?.match ? startMatch(frame, observation, options.match) : undefined;
      if (match) return match.then((result) => withMatch(observation, result));
      const kept = options?.keep ? keepCrop(frame, observation) : undefined;
      return transfer({ status: ProcessStatus.Ok, observation, ...(kept ? { kept } : {}) }, buffersOf(observation));
    } catch (cause) {
      return error(ErrorCode.InferenceFailed, `Landmarking failed: ${describe(cause)}`);
    } finally {
      closeFrame(frame);
    }
  },

  /**
   * Embeds crops kept by `process(…, { keep: true })`, in the order of `ids`, with their
   * JPEG crops when `crop` is true; then drops every kept crop. Resolves, never rejects.
   */
  async embedKept(ids: number[], options: { crop?: boolean } = {}): Promise<EmbedKeptResult> {
    const result = await embedKept(Array.isArray(ids) ? ids : [], options.crop === true);
    return transfer(result, keptBuffers(result));
  },

  stats(): WorkerStats {
    return { ...stats };
  },

  /** Frees the landmarker and the matcher. The page-side client then terminates the worker. */
  close(): void {
    closeMatch();
    engine?.close();
    engine = undefined;
    initializing = undefined;
  },
};

function error(code: ErrorCode, message: string): ProcessResult {
  return { status: ProcessStatus.Error, error: { code, message } };
}

function withMatch(observation: Observation, match: FaceMatch): ProcessResult {
  return transfer({ status: ProcessStatus.Ok, observation, match }, [...buffersOf(observation), ...matchBuffers(match)]);
}

function buffersOf(observation: Observation): ArrayBuffer[] {
  return observation.faces.flatMap((face) => [
    face.landmarks.buffer as ArrayBuffer,
    face.blendshapes.buffer as ArrayBuffer,
    face.matrix.buffer as ArrayBuffer,
  ]);
}

export type VisionApi = typeof api;

expose(api);
