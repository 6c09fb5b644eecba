import { ErrorCode, FacePayError } from '@facepay/protocol';

/**
 * The FaceRes model files (HSE-FaceRec MobileNet, converted to a TensorFlow.js graph model
 * by @vladmandic/human 3.3.6, MIT). Built copies sit in `dist/models/` of this package,
 * of @facepay/vision and of @facepay/element; each is checked against these hashes on load.
 */
export const FACE_MODEL_FILES = {
  topology: {
    file: 'faceres.json',
    sha256: '5b83d49c0385d2e68a05122441b94226313677cae9fcc40b9587ad50079eb4df',
    bytes: 71_432,
  },
  weights: {
    file: 'faceres.bin',
    sha256: '2c7d2d62b76c97528b736527aa09d310ea71743c9e3e79fb6c62d4b2d73af79b',
    bytes: 6_978_814,
  },
} as const;

/**
 * The TensorFlow.js wasm backend's binaries (from @tensorflow/tfjs-backend-wasm 4.22.0): the
 * SIMD build where the runtime has SIMD, the plain one otherwise. The threaded build is not
 * shipped; the embedder turns threads off.
 */
export const FACE_WASM_FILES = {
  plain: 'tfjs-backend-wasm.wasm',
  simd: 'tfjs-backend-wasm-simd.wasm',
} as const;

/** The node whose output is the 1024-value identity embedding (the default outputs are the age and gender heads). */
export const EMBEDDING_NODE = 'global_pooling/Mean';

export type Bytes = ArrayBuffer | Uint8Array;

export function asUint8(bytes: Bytes): Uint8Array {
  return bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Throws `asset-corrupt` naming `file` when the bytes are not the pinned ones. */
export async function verifyFile(bytes: Uint8Array, expected: string, file: string): Promise<void> {
  const actual = await sha256Hex(bytes);
  if (actual !== expected.toLowerCase()) {
    throw new FacePayError(
      ErrorCode.AssetCorrupt,
      `${file} is corrupt: sha256 ${actual}, expected ${expected} (${bytes.byteLength} bytes)`,
      { file },
    );
  }
}
