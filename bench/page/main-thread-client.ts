import { ErrorCode, FacePayError } from '@facepay/protocol';
import type { InitResult, ProcessResult, VisionClient } from '@facepay/vision';
import { createFaceEngine, type FaceEngine } from '@facepay/vision/main-thread';

/** Where the built vision package keeps MediaPipe's wasm and the model. */
export const VISION_ASSETS = {
  wasmBaseUrl: new URL('/packages/vision/dist/wasm/', location.href).href,
  modelUrl: new URL('/packages/vision/dist/models/face_landmarker.task', location.href).href,
};

/**
 * The `VisionClient` contract with FaceLandmarker on the page's own thread: the baseline the
 * worker is measured against, dropped into `<facepay-checkout>` through `visionFactory`.
 * `process` landmarks synchronously, so the element's frame loop blocks while it runs.
 */
export function createMainThreadClient(): VisionClient {
  let engine: FaceEngine | undefined;
  let sent = 0;
  return {
    busy: false,
    async init() {
      const start = performance.now();
      try {
        engine = await createFaceEngine(VISION_ASSETS);
        return { ok: true, delegate: engine.delegate, initMs: performance.now() - start } satisfies InitResult;
      } catch (error) {
        const info = error instanceof FacePayError ? error.toJSON() : { code: ErrorCode.ModelLoadFailed, message: String(error) };
        return { ok: false, error: info } satisfies InitResult;
      }
    },
    async prepareMatch() {
      // The baseline measures landmarking only.
      return { ok: false, error: { code: ErrorCode.UnsupportedBrowser, message: 'The main-thread baseline does not match faces' } };
    },
    async embedKept() {
      return { ok: false, error: { code: ErrorCode.UnsupportedBrowser, message: 'The main-thread baseline does not match faces' } };
    },
    async process(frame, timestampMs): Promise<ProcessResult> {
      try {
        if (!engine) return { status: 'error', error: { code: ErrorCode.NotInitialized, message: 'init() first' } };
        sent++;
        return { status: 'ok', observation: engine.detect(frame, timestampMs) };
      } finally {
        frame.close();
      }
    },
    async stats() {
      return { sent, dropped: 0, inFlight: 0 };
    },
    async close() {
      engine?.close();
      engine = undefined;
    },
  };
}
