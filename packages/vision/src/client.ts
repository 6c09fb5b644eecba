import { wrap, proxy, transfer, releaseProxy, type Remote } from 'comlink';
import { ErrorCode, type ErrorInfo } from '@facepay/protocol';
import type { Frame } from './landmarker.js';
import type { VisionApi } from './vision.worker.js';
import {
  ProcessStatus,
  type EmbedKeptResult,
  type InitOptions,
  type InitResult,
  type PrepareMatchOptions,
  type PrepareMatchResult,
  type ProcessOptions,
  type ProcessResult,
  type ProgressCallback,
  type VisionStats,
} from './results.js';

export interface VisionClientOptions {
  /** Where the worker script lives. Default: `vision.worker.js` beside this module. */
  workerUrl?: string | URL;
}

/** The page's handle on the vision worker. Every method resolves; none rejects or hangs. */
export interface VisionClient {
  init(options?: InitOptions, onProgress?: ProgressCallback): Promise<InitResult>;
  /**
   * Loads face matching in the worker (TensorFlow.js and FaceRes, fetched on this first
   * call only). Needed before `process` is asked for a match.
   */
  prepareMatch(options?: PrepareMatchOptions): Promise<PrepareMatchResult>;
  /**
   * Transfers the frame to the worker and resolves to its observation (and, with
   * `options.match`, the face's template). While a frame is in flight, further frames are
   * closed and reported `dropped` at once, never queued.
   */
  process(frame: Frame, timestampMs: number, options?: ProcessOptions): Promise<ProcessResult>;
  /**
   * Embeds crops kept by `process(…, { keep: true })` (their `kept.id`), in that order, with
   * JPEG crops when `options.crop`; the worker then drops every kept crop.
   */
  embedKept(ids: number[], options?: { crop?: boolean }): Promise<EmbedKeptResult>;
  stats(): Promise<VisionStats>;
  /** True while a frame is in flight. */
  readonly busy: boolean;
  /** Frees the landmarker and terminates the worker; pending calls end with `worker-closed`. */
  close(): Promise<void>;
}

export function createVisionClient(options: VisionClientOptions = {}): VisionClient {
  const url = options.workerUrl ?? new URL('./vision.worker.js', import.meta.url);
  const worker = new Worker(url, { type: 'module', name: 'facepay-vision' });
  const remote: Remote<VisionApi> = wrap<VisionApi>(worker);
  let ended: ErrorInfo | undefined;
  let endWaiters: Array<(info: ErrorInfo) => void> = [];
  let inFlight = 0;
  let sent = 0;
  let dropped = 0;

  const end = (info: ErrorInfo): void => {
    if (ended) return;
    ended = info;
    for (const notify of endWaiters) notify(info);
    endWaiters = [];
  };
  worker.addEventListener('error', (event) => {
    event.preventDefault();
    end({ code: ErrorCode.WorkerCrashed, message: `The vision worker failed: ${event.message || 'script error'}` });
    worker.terminate();
  });
  worker.addEventListener('messageerror', () => {
    end({ code: ErrorCode.WorkerCrashed, message: 'The vision worker sent a message that could not be read' });
    worker.terminate();
  });

  /** Races a worker call against the worker ending, so no caller waits forever. */
  function guard<T>(call: () => Promise<T>, onEnd: (info: ErrorInfo) => T): Promise<T> {
    if (ended) return Promise.resolve(onEnd(ended));
    return new Promise<T>((resolve) => {
      const waiter = (info: ErrorInfo): void => resolve(onEnd(info));
      endWaiters.push(waiter);
      call().then(
        (value) => resolve(value),
        (error: unknown) =>
          resolve(onEnd({ code: ErrorCode.WorkerCrashed, message: `Worker call failed: ${String(error)}` })),
      ).finally(() => {
        endWaiters = endWaiters.filter((w) => w !== waiter);
      });
    });
  }

  return {
    get busy() {
      return inFlight > 0;
    },

    init(initOptions = {}, onProgress) {
      // Comlink's Remote<> splits result unions into a union of promises; the cast joins them back.
      return guard<InitResult>(
        () => remote.init(initOptions, onProgress ? proxy(onProgress) : undefined) as Promise<InitResult>,
        (error): InitResult => ({ ok: false, error }),
      );
    },

    prepareMatch(matchOptions = {}) {
      return guard<PrepareMatchResult>(
        () => remote.prepareMatch(matchOptions) as Promise<PrepareMatchResult>,
        (error): PrepareMatchResult => ({ ok: false, error }),
      );
    },

    process(frame, timestampMs, processOptions) {
      if (!isOpenFrame(frame)) {
        return Promise.resolve({
          status: ProcessStatus.Error,
          error: { code: ErrorCode.InvalidFrame, message: 'process() takes an open, non-empty ImageBitmap or VideoFrame' },
        });
      }
      if (ended || inFlight > 0) {
        frame.close();
        if (ended) return Promise.resolve({ status: ProcessStatus.Error, error: ended });
        dropped++;
        return Promise.resolve({ status: ProcessStatus.Dropped });
      }
      inFlight++;
      sent++;
      return guard<ProcessResult>(
        () => remote.process(transfer(frame, [frame]), timestampMs, processOptions) as Promise<ProcessResult>,
        (error): ProcessResult => {
          // The transfer may not have happened (bad frame, worker gone); closing twice is harmless.
          try {
            frame.close();
          } catch {
            // Already transferred.
          }
          return { status: ProcessStatus.Error, error };
        },
      ).finally(() => {
        inFlight--;
      });
    },

    embedKept(ids, embedOptions = {}) {
      return guard<EmbedKeptResult>(
        () => remote.embedKept(ids, embedOptions) as Promise<EmbedKeptResult>,
        (error): EmbedKeptResult => ({ ok: false, error }),
      );
    },

    async stats() {
      const own = { sent, dropped, inFlight };
      if (ended) return own;
      const worker = await guard(
        () => remote.stats(),
        () => undefined,
      );
      return worker ? { ...own, worker } : own;
    },

    async close() {
      if (ended) return;
      await guard(
        () => withTimeout(remote.close(), 2000),
        () => undefined,
      );
      end({ code: ErrorCode.WorkerClosed, message: 'The vision client was closed' });
      remote[releaseProxy]();
      worker.terminate();
    },
  };
}

function isOpenFrame(frame: unknown): frame is Frame {
  if (typeof ImageBitmap !== 'undefined' && frame instanceof ImageBitmap) return frame.width > 0;
  if (typeof VideoFrame !== 'undefined' && frame instanceof VideoFrame) return frame.format !== null && frame.displayWidth > 0;
  return false;
}

/** `close()` must not wait on a stuck worker: it is terminated either way. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([promise, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms))]);
}
