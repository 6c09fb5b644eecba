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
  | { status: typeof ProcessStatus.Ok; observation: Observation }
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
