import type { ErrorInfo, Observation } from '@facepay/protocol';
import type { AssetProgress } from './assets.js';
import type { EngineOptions } from './landmarker.js';

export const Delegate = {
  Auto: 'auto',
  GPU: 'GPU',
  CPU: 'CPU',
} as const;
export type Delegate = (typeof Delegate)[keyof typeof Delegate];

/** Options for `init`; everything has a default. */
export interface InitOptions extends EngineOptions {
  /** Give up after this long with `init-timeout` (default 60 000 ms). */
  timeoutMs?: number;
}

export type InitResult =
  | { ok: true; delegate: 'GPU' | 'CPU'; initMs: number }
  | { ok: false; error: ErrorInfo };

export const ProcessStatus = {
  Ok: 'ok',
  Dropped: 'dropped',
  Error: 'error',
} as const;
export type ProcessStatus = (typeof ProcessStatus)[keyof typeof ProcessStatus];

export type ProcessResult =
  | { status: typeof ProcessStatus.Ok; observation: Observation; match?: FaceMatch; kept?: KeptCrop }
  | { status: typeof ProcessStatus.Dropped }
  | { status: typeof ProcessStatus.Error; error: ErrorInfo };

/** The worker's counters. */
export interface WorkerStats {
  /** Frames that reached the worker. */
  received: number;
  /** Frames landmarked. */
  processed: number;
  /** Frames the worker closed: every frame it received, once done with it. */
  closed: number;
  /** Requests refused because they were not for the worker's own assets (MediaPipe's usage logs). */
  blockedRequests: number;
}

/** Counters for back-pressure checks and the benchmark. */
export interface VisionStats {
  /** Frames handed to the worker. */
  sent: number;
  /** Frames closed without landmarking because another was in flight. */
  dropped: number;
  /** Frames on their way to or in the worker (0 or 1). */
  inFlight: number;
  /** The worker's own counters; absent once the worker is gone. */
  worker?: WorkerStats;
}

export type ProgressCallback = (progress: AssetProgress) => void;

/** Options for `prepareMatch`; everything has a default. */
export interface PrepareMatchOptions {
  /** Folder with `faceres.json` and `faceres.bin`. Default: `models/` beside the worker script. */
  modelBaseUrl?: string;
  /** Folder with the TensorFlow.js wasm binaries. Default: `wasm/` beside the worker script. */
  wasmBaseUrl?: string;
  /** Expected sha256 of the model files; default: the pinned FACE_MODEL_FILES. For tests. */
  modelSha256?: { topology: string; weights: string };
  /** Give up after this long with `init-timeout` (default 60 000 ms). */
  timeoutMs?: number;
}

export type PrepareMatchResult = { ok: true; initMs: number } | { ok: false; error: ErrorInfo };

/** Per-frame options of `process`. */
export interface ProcessOptions {
  /**
   * Embed the face for a match: when exactly one face is found, the result carries `match`
   * (after a successful `prepareMatch`). `crop: true` adds the aligned crop as JPEG bytes
   * (`frames` mode).
   */
  match?: { crop?: boolean };
  /**
   * Keep the aligned face crop in the worker (a few milliseconds) and embed it later with
   * `embedKept`: the frame slot is not held for the ~150 ms an embedding costs, so a blink
   * during the challenge is not missed. The result then carries `kept`.
   */
  keep?: boolean;
  /**
   * Kept crops (their ids) to hold until `embedKept`: never evicted. Applied before this
   * frame's crop is kept, so a crop chosen on the last result is still there. At most 8
   * are held at once; further pins are ignored.
   */
  pin?: number[];
}

/**
 * Crops the worker keeps for `embedKept`: past this many the oldest goes that is neither
 * the first nor pinned, so the first, the pinned and the latest span the session. Each
 * eviction is reported in `KeptCrop.evicted`.
 */
export const KEPT_CROPS_MAX = 24;

/**
 * A crop kept in the worker for `embedKept` (and the one that made room for it, if any), or
 * why there is none.
 */
export type KeptCrop = { ok: true; id: number; evicted?: number } | { ok: false; error: ErrorInfo };

/** One kept crop's template (and JPEG crop, when asked for). */
export interface KeptMatch {
  id: number;
  template: Float32Array;
  crop?: Uint8Array;
  ms: number;
}

/** `missing`: asked-for ids the worker no longer had (evicted); the others are embedded. */
export type EmbedKeptResult = { ok: true; matches: KeptMatch[]; missing: number[] } | { ok: false; error: ErrorInfo };

/**
 * A frame's face template, or why there is none. Absent from the result when the frame
 * did not have exactly one face.
 */
export type FaceMatch =
  | {
      ok: true;
      /** FACE_TEMPLATE_DIMS values, L2-normalised (model FACE_MODEL_ID). */
      template: Float32Array;
      /** The FACE_CROP_SIZE² aligned crop as JPEG (quality 0.85), when asked for. */
      crop?: Uint8Array;
      /** Milliseconds to crop and embed (not counting the JPEG). */
      ms: number;
    }
  | { ok: false; error: ErrorInfo };
