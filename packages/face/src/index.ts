export { createFaceEmbedder } from './embedder.js';
export type { FaceEmbedder, FaceEmbedderOptions, FacePixels } from './embedder.js';
export { alignFace, applyTransform, cropFace, ALIGN_LANDMARKS, FACE_FRAMING } from './align.js';
export type { AffineTransform, FaceFraming } from './align.js';
export { cosineSimilarity, l2Normalize } from './similarity.js';
export { MATCH_THRESHOLD, CROP_CONSISTENCY_THRESHOLD } from './thresholds.js';
export { FACE_MODEL_FILES, FACE_WASM_FILES, EMBEDDING_NODE } from './model.js';
