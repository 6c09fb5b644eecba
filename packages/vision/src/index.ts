export { createVisionClient } from './client.js';
export type { VisionClient, VisionClientOptions } from './client.js';
export { Delegate, KEPT_CROPS_MAX, ProcessStatus } from './results.js';
export type {
  EmbedKeptResult,
  KeptCrop,
  KeptMatch,
  FaceMatch,
  InitOptions,
  InitResult,
  PrepareMatchOptions,
  PrepareMatchResult,
  ProcessOptions,
  ProcessResult,
  ProgressCallback,
  VisionStats,
  WorkerStats,
} from './results.js';
export type { EngineOptions, Frame } from './landmarker.js';
export { FACE_LANDMARKER_MODEL, WASM_FILES } from './assets.js';
export type { AssetProgress } from './assets.js';
export { poseFromMatrix, matrixFromPose } from './pose.js';
export type { VisionApi } from './vision.worker.js';
export { frameLuma } from './luma.js';
export { moireScore, SCREEN_PATCH } from './screen.js';
