/**
 * FaceLandmarker on the calling thread, without the worker. For the benchmark's baseline
 * and for tools that already run off the main thread; pages should use `createVisionClient`.
 */
export { createFaceEngine } from './landmarker.js';
export type { FaceEngine } from './landmarker.js';
