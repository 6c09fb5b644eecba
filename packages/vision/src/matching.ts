// The worker's side of face matching that is always loaded: small. TensorFlow.js and FaceRes
// live in vision.worker-match.js, imported on the first `prepareMatch()`.
import { ErrorCode, FacePayError, isErrorCode, type ErrorInfo, type Observation } from '@facepay/protocol';
import { describe, type Frame } from './landmarker.js';
import type { MatchEngine } from './vision.worker-match.js';
import { KEPT_CROPS_MAX, type EmbedKeptResult, type FaceMatch, type KeptCrop, type KeptMatch, type PrepareMatchOptions, type PrepareMatchResult, type ProcessOptions } from './results.js';

/** An embedding that has not finished by then is reported, not awaited forever. */
const EMBED_TIMEOUT_MS = 15_000;

const here = import.meta.url;
let engine: MatchEngine | undefined;
let preparing: Promise<PrepareMatchResult> | undefined;

/**
 * Loads the matching chunk, TensorFlow.js and FaceRes once; later calls share the first
 * result, a failed one may be retried. `allow` opens the worker's network guard to exactly
 * the files the matcher fetches.
 */
export function prepareMatch(options: PrepareMatchOptions, allow: (urls: string[]) => void): Promise<PrepareMatchResult> {
  if (!preparing) {
    preparing = prepareOnce(options, allow).then((result) => {
      if (!result.ok) preparing = undefined;
      return result;
    });
  }
  return preparing;
}

async function prepareOnce(options: PrepareMatchOptions, allow: (urls: string[]) => void): Promise<PrepareMatchResult> {
  const start = performance.now();
  const timeoutMs = options.timeoutMs ?? 60_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FacePayError(ErrorCode.InitTimeout, `Face matching did not load within ${timeoutMs} ms`)), timeoutMs);
  });
  const modelBase = new URL(options.modelBaseUrl ?? './models/', here).href.replace(/\/?$/, '/');
  const urls = {
    topology: new URL('faceres.json', modelBase).href,
    weights: new URL('faceres.bin', modelBase).href,
    wasmBase: new URL(options.wasmBaseUrl ?? './wasm/', here).href.replace(/\/?$/, '/'),
    ...(options.modelSha256 ? { sha256: options.modelSha256 } : {}),
  };
  try {
    const module = await Promise.race([loadChunk(), timeout]);
    allow(module.matchAssetList(urls));
    const created = module.createMatchEngine(urls);
    try {
      engine = await Promise.race([created, timeout]);
    } catch (error) {
      // A matcher that turns up after the time ran out is freed.
      created.then((late) => late.close(), () => undefined);
      throw error;
    }
    return { ok: true, initMs: performance.now() - start };
  } catch (error) {
    return { ok: false, error: toInfo(error, ErrorCode.ModelLoadFailed) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The matching code sits beside the worker script and is imported by URL at run time, so
 * bundlers leave it alone and it is found wherever the worker is served from.
 */
async function loadChunk(): Promise<typeof import('./vision.worker-match.js')> {
  const url = new URL('./vision.worker-match.js', here).href;
  try {
    return (await import(/* @vite-ignore */ /* webpackIgnore: true */ url)) as typeof import('./vision.worker-match.js');
  } catch (cause) {
    throw new FacePayError(ErrorCode.AssetMissing, `Could not load the worker's face matching code ${url}: ${describe(cause)}`, { file: url, cause });
  }
}

/**
 * Starts the match for a landmarked frame: crops now, while the frame is open (the caller
 * closes it after this returns), and embeds asynchronously. Undefined unless the frame has
 * exactly one face.
 */
export function startMatch(frame: Frame, observation: Observation, options: NonNullable<ProcessOptions['match']>): Promise<FaceMatch> | undefined {
  const face = observation.faces.length === 1 ? observation.faces[0] : undefined;
  if (!face) return undefined;
  if (!engine) return Promise.resolve(failure(ErrorCode.NotInitialized, 'process() asked for a match before prepareMatch() succeeded'));
  const start = performance.now();
  let crop: OffscreenCanvas;
  try {
    crop = engine.crop(frame, face.landmarks, observation.width, observation.height);
  } catch (cause) {
    return Promise.resolve(failure(ErrorCode.InferenceFailed, `Could not crop the face: ${describe(cause)}`));
  }
  const cropMs = performance.now() - start;
  return embedInTime(engine, crop, options.crop === true).then(
    ({ template, jpeg, embedMs }): FaceMatch => ({ ok: true, template, ...(jpeg ? { crop: jpeg } : {}), ms: cropMs + embedMs }),
    (error: unknown): FaceMatch => ({ ok: false, error: toInfo(error, ErrorCode.InferenceFailed) }),
  );
}

/** One embedding, given up on (`inference-failed`) after EMBED_TIMEOUT_MS. */
function embedInTime(current: MatchEngine, crop: OffscreenCanvas, jpeg: boolean): ReturnType<MatchEngine['embed']> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FacePayError(ErrorCode.InferenceFailed, `Embedding took more than ${EMBED_TIMEOUT_MS} ms`)), EMBED_TIMEOUT_MS);
  });
  return Promise.race([current.embed(crop, jpeg), timeout]).finally(() => clearTimeout(timer));
}

const kept = new Map<number, OffscreenCanvas>();
const pinned = new Set<number>();
let nextKeptId = 1;

/**
 * Most crops pinned at once: a session pins one per step (two or three). The cap keeps
 * eviction possible whatever a caller pins, so the kept crops stay bounded.
 */
const PINNED_MAX = 8;

/** Holds kept crops until `embedKept` (ids not kept, and pins past PINNED_MAX, are ignored). */
export function pinKept(ids: readonly number[] | undefined): void {
  if (!Array.isArray(ids)) return;
  for (const id of ids) if (kept.has(id) && pinned.size < PINNED_MAX) pinned.add(id);
}

/**
 * Keeps the aligned crop of a landmarked frame (cheap: one draw) for a later `embedKept`.
 * Undefined unless the frame has exactly one face. Past KEPT_CROPS_MAX the oldest that is
 * neither the first nor pinned goes (and is reported), so the first crop, the pinned ones
 * and the latest span the session.
 */
export function keepCrop(frame: Frame, observation: Observation): KeptCrop | undefined {
  const face = observation.faces.length === 1 ? observation.faces[0] : undefined;
  if (!face) return undefined;
  if (!engine) return { ok: false, error: { code: ErrorCode.NotInitialized, message: 'process() asked to keep a crop before prepareMatch() succeeded' } };
  try {
    const drawn = engine.crop(frame, face.landmarks, observation.width, observation.height);
    // The engine draws every crop on one canvas: a kept crop needs its own copy.
    const crop = new OffscreenCanvas(drawn.width, drawn.height);
    const context = crop.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('no 2D context for a kept crop');
    context.drawImage(drawn, 0, 0);
    const id = nextKeptId++;
    kept.set(id, crop);
    let evicted: number | undefined;
    if (kept.size > KEPT_CROPS_MAX) {
      const [, ...rest] = kept.keys();
      evicted = rest.find((other) => other !== id && !pinned.has(other));
      if (evicted !== undefined) kept.delete(evicted);
    }
    return { ok: true, id, ...(evicted !== undefined && { evicted }) };
  } catch (cause) {
    return { ok: false, error: { code: ErrorCode.InferenceFailed, message: `Could not crop the face: ${describe(cause)}` } };
  }
}

/** Embeds kept crops (in the order asked; ids no longer kept are listed as missing), then forgets every kept crop. */
export async function embedKept(ids: number[], withCrop: boolean): Promise<EmbedKeptResult> {
  const current = engine;
  try {
    if (!current) return { ok: false, error: { code: ErrorCode.NotInitialized, message: 'embedKept() called before prepareMatch() succeeded' } };
    const matches: KeptMatch[] = [];
    const missing: number[] = [];
    for (const id of ids) {
      const crop = kept.get(id);
      if (!crop) {
        missing.push(id);
        continue;
      }
      const { template, jpeg, embedMs } = await embedInTime(current, crop, withCrop);
      matches.push({ id, template, ...(jpeg ? { crop: jpeg } : {}), ms: embedMs });
    }
    return { ok: true, matches, missing };
  } catch (error) {
    return { ok: false, error: toInfo(error, ErrorCode.InferenceFailed) };
  } finally {
    kept.clear();
    pinned.clear();
  }
}

/** The buffers of embedded kept crops, for transfer. */
export function keptBuffers(result: EmbedKeptResult): ArrayBuffer[] {
  if (!result.ok) return [];
  return result.matches.flatMap((m) => (m.crop ? [m.template.buffer as ArrayBuffer, m.crop.buffer as ArrayBuffer] : [m.template.buffer as ArrayBuffer]));
}

/** The buffers of a match result, for transfer. */
export function matchBuffers(match: FaceMatch | undefined): ArrayBuffer[] {
  if (!match?.ok) return [];
  return match.crop ? [match.template.buffer as ArrayBuffer, match.crop.buffer as ArrayBuffer] : [match.template.buffer as ArrayBuffer];
}

export function closeMatch(): void {
  kept.clear();
  pinned.clear();
  engine?.close();
  engine = undefined;
  preparing = undefined;
}

function failure(code: ErrorCode, message: string): FaceMatch {
  return { ok: false, error: { code, message } };
}

/** The matching file has its own copy of FacePayError: its errors are recognised by their code. */
function toInfo(error: unknown, fallback: ErrorCode): ErrorInfo {
  if (error instanceof FacePayError) return error.toJSON();
  const { code, message, file } = (error ?? {}) as { code?: unknown; message?: unknown; file?: unknown };
  if (isErrorCode(code) && typeof message === 'string') return typeof file === 'string' ? { code, message, file } : { code, message };
  return { code: fallback, message: describe(error) };
}
