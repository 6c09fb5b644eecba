import { ErrorCode, FacePayError } from '@facepay/protocol';

/** The MediaPipe Face Landmarker model facepay is built and tested against. */
export const FACE_LANDMARKER_MODEL = {
  file: 'face_landmarker.task',
  sha256: '64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff',
  bytes: 3_758_596,
  url: 'https://storage.googleapis.com/mediapipe-models/face_landmarker/face_landmarker/float16/1/face_landmarker.task',
} as const;

/** The module-loader build of MediaPipe's wasm, the one a module Worker can import. */
export const WASM_FILES = {
  loader: 'vision_wasm_module_internal.js',
  binary: 'vision_wasm_module_internal.wasm',
} as const;

export interface AssetProgress {
  stage: 'wasm' | 'model' | 'landmarker';
  loaded: number;
  total: number;
}

/**
 * Fetches an asset fully, reporting progress, and checks its sha256.
 * Fails with `asset-missing` (network error, non-2xx) or `asset-corrupt` (hash mismatch),
 * naming the file in both.
 */
export async function fetchVerified(
  url: string,
  sha256: string,
  onProgress?: (loaded: number, total: number) => void,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, signal ? { signal } : {});
  } catch (cause) {
    throw new FacePayError(ErrorCode.AssetMissing, `Could not fetch ${url}: ${String(cause)}`, { file: url, cause });
  }
  if (!response.ok) {
    throw new FacePayError(ErrorCode.AssetMissing, `Could not fetch ${url}: HTTP ${response.status}`, { file: url });
  }
  const total = Number(response.headers.get('content-length')) || 0;
  const bytes = await readAll(response, url, (loaded) => onProgress?.(loaded, total || loaded));
  const actual = await sha256Hex(bytes);
  if (actual !== sha256.toLowerCase()) {
    throw new FacePayError(
      ErrorCode.AssetCorrupt,
      `${url} is corrupt: sha256 ${actual}, expected ${sha256} (${bytes.byteLength} bytes)`,
      { file: url },
    );
  }
  return bytes;
}

/** Checks that an asset is reachable without downloading it twice (the loader fetches it itself). */
export async function assertReachable(url: string, signal?: AbortSignal): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'HEAD', ...(signal ? { signal } : {}) });
  } catch (cause) {
    throw new FacePayError(ErrorCode.AssetMissing, `Could not reach ${url}: ${String(cause)}`, { file: url, cause });
  }
  if (!response.ok) {
    throw new FacePayError(ErrorCode.AssetMissing, `Could not fetch ${url}: HTTP ${response.status}`, { file: url });
  }
}

async function readAll(response: Response, url: string, onChunk: (loaded: number) => void): Promise<Uint8Array> {
  try {
    if (!response.body) return new Uint8Array(await response.arrayBuffer());
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.byteLength;
      onChunk(loaded);
    }
    const out = new Uint8Array(loaded);
    let offset = 0;
    for (const chunk of chunks) {
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return out;
  } catch (cause) {
    throw new FacePayError(ErrorCode.AssetMissing, `Download of ${url} broke off: ${String(cause)}`, { file: url, cause });
  }
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
