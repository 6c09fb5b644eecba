// The page half of `facepay analyze`: the same worker and liveness engine the element
// uses, fed by Chromium's fake camera (real time) or by every decoded frame of the clip.
import { LivenessTracker, evaluate } from '@facepay/liveness';
import type { Challenge, ChallengeStep, Evaluation, Evidence, EvidenceCamera } from '@facepay/protocol';
import { createVisionClient, frameLuma } from '@facepay/vision';

export interface AnalyzeRequest {
  steps: ChallengeStep[];
  /** Binds the evidence to a real session's challenge (default: a local one). */
  sessionId?: string;
  nonce?: string;
  workerUrl: string;
  /** Real time: how long one pass of the clip lasts. */
  durationMs?: number;
  /** Every frame: where the page can fetch the clip, and its format. */
  clipUrl?: string;
  format?: 'y4m' | 'mjpeg';
  fps?: number;
}

export interface AnalyzeResponse {
  evaluation: Evaluation;
  evidence: Evidence;
  frames: number;
  dropped: number;
  error?: { code: string; message: string };
}

const LOCAL_NONCE = 'analyze-0000000000000000';

interface ClipFrame {
  bitmap: ImageBitmap;
  /** Monotonic frame time for the worker (ms). */
  timeMs: number;
  /** Wall-clock time of the frame, as the element records it. */
  epochMs: number;
  luma: number | undefined;
}

interface FrameSource {
  camera: EvidenceCamera;
  frames: AsyncIterable<ClipFrame>;
  /** Frames the source skipped because the worker was busy. */
  dropped(): number;
  stop(): void;
}

/** Runs frames through the worker and the tracker until the tracker is done or the clip ends. */
async function analyzeWith(request: AnalyzeRequest, open: () => Promise<FrameSource>): Promise<AnalyzeResponse> {
  const vision = createVisionClient({ workerUrl: request.workerUrl });
  const challenge: Challenge = { nonce: request.nonce ?? LOCAL_NONCE, steps: request.steps };
  try {
    // Loaded before the camera opens, so one pass of the clip starts at its first frame.
    const init = await vision.init({ delegate: 'CPU' });
    if (!init.ok) throw Object.assign(new Error(init.error.message), { code: init.error.code });
    const source = await open();
    const tracker = new LivenessTracker({ challenge, sessionId: request.sessionId ?? 'analyze', camera: source.camera });
    let frames = 0;
    try {
      for await (const frame of source.frames) {
        const result = await vision.process(frame.bitmap, frame.timeMs);
        if (result.status === 'error') throw Object.assign(new Error(result.error.message), { code: result.error.code });
        if (result.status !== 'ok') continue;
        frames++;
        if (tracker.push(result.observation, frame.epochMs, frame.luma).phase === 'done') break;
      }
    } finally {
      source.stop();
    }
    tracker.noteDropped(source.dropped());
    const evidence = tracker.evidence();
    return { evaluation: evaluate(evidence, challenge), evidence, frames, dropped: source.dropped() };
  } finally {
    await vision.close();
  }
}

/** Real time, as a shopper's camera: frames shown while the worker is busy are dropped. */
async function openCamera(durationMs: number): Promise<FrameSource> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
  const track = stream.getVideoTracks()[0]!;
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = stream;
  await video.play();
  const settings = track.getSettings();
  let presented = 0;
  let taken = 0;
  let stopped = false;
  let wake: (() => void) | undefined;
  const onFrame = (): void => {
    if (stopped) return;
    presented++;
    wake?.();
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
  const end = performance.now() + durationMs;
  async function* frames(): AsyncGenerator<ClipFrame> {
    while (performance.now() < end) {
      await new Promise<void>((resolve) => (wake = resolve));
      if (performance.now() >= end) return;
      taken++;
      const now = performance.now();
      yield { bitmap: await createImageBitmap(video), timeMs: now, epochMs: performance.timeOrigin + now, luma: frameLuma(video) };
    }
  }
  return {
    camera: {
      label: track.label,
      width: settings.width ?? video.videoWidth,
      height: settings.height ?? video.videoHeight,
      ...(settings.frameRate ? { frameRate: settings.frameRate } : {}),
    },
    frames: frames(),
    dropped: () => Math.max(0, presented - taken),
    stop: () => {
      stopped = true;
      for (const t of stream.getTracks()) t.stop();
    },
  };
}

/** Every decoded frame in order, timed by its index: deterministic. */
async function openClip(request: AnalyzeRequest): Promise<FrameSource> {
  const bytes = new Uint8Array(await (await fetch(request.clipUrl!)).arrayBuffer());
  const fps = request.fps ?? 30;
  const origin = Date.now();
  const decoded = request.format === 'mjpeg' ? splitJpegs(bytes) : decodeY4m(bytes);
  const first = await decoded.next();
  const size = first.done ? { width: 0, height: 0 } : { width: first.value.width, height: first.value.height };
  async function* frames(): AsyncGenerator<ClipFrame> {
    let index = 0;
    for (let next = first; !next.done; next = await decoded.next()) {
      const ms = (index++ * 1000) / fps;
      yield { bitmap: next.value, timeMs: ms + 1, epochMs: origin + ms, luma: frameLuma(next.value) };
    }
  }
  return { camera: { label: 'clip (every frame)', ...size, frameRate: fps }, frames: frames(), dropped: () => 0, stop: () => {} };
}

async function* splitJpegs(bytes: Uint8Array): AsyncGenerator<ImageBitmap> {
  let start = -1;
  for (let i = 0; i + 1 < bytes.length; i++) {
    if (bytes[i] !== 0xff) continue;
    if (bytes[i + 1] === 0xd8 && start < 0) start = i;
    else if (bytes[i + 1] === 0xd9 && start >= 0) {
      yield createImageBitmap(new Blob([bytes.slice(start, i + 2)], { type: 'image/jpeg' }));
      start = -1;
    }
  }
}

/** YUV4MPEG2 4:2:0 → RGBA bitmaps (BT.601, limited range, as ffmpeg writes). */
async function* decodeY4m(bytes: Uint8Array): AsyncGenerator<ImageBitmap> {
  let pos = bytes.indexOf(0x0a);
  const header = new TextDecoder('latin1').decode(bytes.subarray(0, pos));
  const tags = Object.fromEntries(header.split(' ').slice(1).map((tag) => [tag[0], tag.slice(1)]));
  const width = Number(tags.W);
  const height = Number(tags.H);
  const ySize = width * height;
  const cw = width >> 1;
  const cSize = cw * (height >> 1);
  pos++;
  while (pos < bytes.length) {
    pos = bytes.indexOf(0x0a, pos) + 1;
    if (pos === 0 || pos + ySize + 2 * cSize > bytes.length) break;
    const y = bytes.subarray(pos, pos + ySize);
    const u = bytes.subarray(pos + ySize, pos + ySize + cSize);
    const v = bytes.subarray(pos + ySize + cSize, pos + ySize + 2 * cSize);
    pos += ySize + 2 * cSize;
    const rgba = new Uint8ClampedArray(ySize * 4);
    for (let row = 0; row < height; row++) {
      for (let col = 0; col < width; col++) {
        const c = (row >> 1) * cw + (col >> 1);
        const yy = 1.164 * (y[row * width + col]! - 16);
        const uu = u[c]! - 128;
        const vv = v[c]! - 128;
        const o = (row * width + col) * 4;
        rgba[o] = yy + 1.596 * vv;
        rgba[o + 1] = yy - 0.392 * uu - 0.813 * vv;
        rgba[o + 2] = yy + 2.017 * uu;
        rgba[o + 3] = 255;
      }
    }
    yield createImageBitmap(new ImageData(rgba, width, height));
  }
}

declare global {
  interface Window {
    facepayAnalyze: (request: AnalyzeRequest) => Promise<AnalyzeResponse>;
  }
}

window.facepayAnalyze = async (request) => {
  try {
    return await analyzeWith(request, () => (request.clipUrl ? openClip(request) : openCamera(request.durationMs ?? 0)));
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'analyze-failed';
    throw new Error(`${code}: ${(error as Error).message}`);
  }
};
