// The benchmark's page side: everything that runs in Chromium. The bench (Node) bundles this
// file, loads bench.html and calls `window.bench.*`; every function returns plain numbers so
// the figures are reduced the same way in Node for every section.
import type { Config, Human } from '@vladmandic/human';
import { LivenessTracker } from '@facepay/liveness';
import type { Evaluation, Observation } from '@facepay/protocol';
import { createVisionClient, type VisionClient } from '@facepay/vision';
import { createFaceEngine, type FaceEngine } from '@facepay/vision/main-thread';
import { createMainThreadClient, VISION_ASSETS } from './main-thread-client.js';

export type Mode = 'worker' | 'main';

interface CapturedFrame {
  bitmap: ImageBitmap;
  /** The camera's capture time (`performance.now()` clock). */
  captureMs: number;
}

export interface InferenceSamples {
  /** `detectForVideo` alone, main thread: the raw FaceLandmarker. */
  rawMs: number[];
  /** `FaceEngine.detect` on the main thread: `detectForVideo` plus conversion to an Observation. */
  rawCallMs: number[];
  /** `detectForVideo` alone, inside the worker. */
  workerInferenceMs: number[];
  /** `VisionClient.process` from call to resolution: transfer, landmarking, conversion, reply. */
  roundTripMs: number[];
  facesMain: number;
  facesWorker: number;
}

export interface LiveSamples {
  /** Camera capture → observation available on the page, per landmarked frame. */
  endToEndMs: number[];
  processed: number;
  /** Frames the camera delivered to the page during the run. */
  cameraFrames: number;
  durationMs: number;
}

export interface CheckSamples {
  /** start() → camera running and frames flowing. */
  startMs: number;
  /** Long task durations (≥ 50 ms by the API's definition) during start-up and the check. */
  startLongTasks: number[];
  checkLongTasks: number[];
  checkMs: number;
  /** Frames the element had landmarked during the check. */
  processed: number;
  state: string;
  /** The script behind the check's longest task, from the Long Animation Frames API. */
  longestCause?: string;
}

/**
 * The members of `<facepay-checkout>` used here. The class on the page is the script-tag
 * bundle's own copy, so it is typed by what the bench touches rather than by the npm types.
 */
interface CheckoutElement extends HTMLElement {
  visionFactory: () => VisionClient;
  readonly state: string;
  start(): Promise<void>;
  cancel(): void;
}

/** The fields of a `long-animation-frame` entry used here (not yet in TypeScript's DOM types). */
interface LongAnimationFrame extends PerformanceEntry {
  scripts: Array<{ invoker: string; sourceURL: string; sourceFunctionName: string; duration: number }>;
}

export interface PeerSamples {
  backend: string;
  wasmSimd: boolean;
  wasmThreads: boolean;
  loadMs: number;
  /** Ours: raw FaceLandmarker on the main thread, same frames, interleaved with the peer. */
  rawMs: number[];
  /** Human's face pipeline: detector, mesh, iris. */
  humanFaceMs: number[];
  /** The same plus its antispoof and liveness models, run on every frame. */
  humanLivenessMs: number[];
  /** Human's `face[0].real` and `face[0].live` per frame (frames with a face). */
  real: number[];
  live: number[];
  humanFaces: number;
  ourFaces: number;
  /** Our liveness engine over the same frames, as the element's tracker sees them. */
  ours: Pick<Evaluation, 'verdict' | 'score' | 'reasons'>;
}

declare global {
  interface Window {
    bench: BenchPageApi;
  }
}

let video: HTMLVideoElement | undefined;
let frames: CapturedFrame[] = [];
let client: VisionClient | undefined;
let engine: FaceEngine | undefined;

async function camera(): Promise<HTMLVideoElement> {
  if (video) return video;
  const element = document.getElementById('camera') as HTMLVideoElement;
  element.srcObject = await navigator.mediaDevices.getUserMedia({
    audio: false,
    video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 30 } },
  });
  await element.play();
  video = element;
  return element;
}

const captureTime = (meta: VideoFrameCallbackMetadata): number => meta.captureTime ?? meta.presentationTime;

const api = {
  /** Keeps `count` consecutive camera frames, so every engine sees exactly the same ones. */
  async captureFrames(count: number): Promise<{ count: number; width: number; height: number }> {
    const source = await camera();
    for (const frame of frames) frame.bitmap.close();
    const pending: Array<Promise<CapturedFrame>> = [];
    await new Promise<void>((done) => {
      const onFrame = (_now: number, meta: VideoFrameCallbackMetadata): void => {
        const captureMs = captureTime(meta);
        pending.push(createImageBitmap(source).then((bitmap) => ({ bitmap, captureMs })));
        if (pending.length < count) source.requestVideoFrameCallback(onFrame);
        else done();
      };
      source.requestVideoFrameCallback(onFrame);
    });
    frames = (await Promise.all(pending)).sort((a, b) => a.captureMs - b.captureMs);
    return { count: frames.length, width: frames[0]!.bitmap.width, height: frames[0]!.bitmap.height };
  },

  /** The worker as pages use it, and the same landmarker on this thread as the baseline. */
  async initEngines(): Promise<{ workerInitMs: number; mainInitMs: number; delegate: string }> {
    client = createVisionClient({ workerUrl: new URL('/packages/vision/dist/vision.worker.js', location.href) });
    const init = await client.init(VISION_ASSETS);
    if (!init.ok) throw new Error(`worker init: ${init.error.code}: ${init.error.message}`);
    const start = performance.now();
    engine = await createFaceEngine(VISION_ASSETS);
    return { workerInitMs: init.initMs, mainInitMs: performance.now() - start, delegate: `${init.delegate}/${engine.delegate}` };
  },

  async closeEngines(): Promise<void> {
    await client?.close();
    engine?.close();
    client = undefined;
    engine = undefined;
  },

  /** Each captured frame through both engines, one after the other, nothing else running. */
  async inference(warmup: number): Promise<InferenceSamples> {
    if (!client || !engine) throw new Error('initEngines() first');
    const out: InferenceSamples = { rawMs: [], rawCallMs: [], workerInferenceMs: [], roundTripMs: [], facesMain: 0, facesWorker: 0 };
    const worker = client;
    const main = engine;
    for (let i = 0; i < frames.length; i++) {
      const { bitmap, captureMs } = frames[i]!;
      // process() transfers (and so detaches) its frame; copying is the page's capture step, not timed.
      const copy = await createImageBitmap(bitmap);
      const onMain = (): { observation: Observation; callMs: number } => {
        const start = performance.now();
        const observation = main.detect(bitmap, captureMs);
        return { observation, callMs: performance.now() - start };
      };
      const onWorker = async (): Promise<{ observation: Observation; roundTripMs: number }> => {
        const start = performance.now();
        const result = await worker.process(copy, captureMs);
        const roundTripMs = performance.now() - start;
        if (result.status !== 'ok') throw new Error(`worker process: ${JSON.stringify(result)}`);
        return { observation: result.observation, roundTripMs };
      };
      // Alternate which goes first, so neither always runs on the warmer cache.
      let m: ReturnType<typeof onMain>;
      let w: Awaited<ReturnType<typeof onWorker>>;
      if (i % 2 === 0) {
        m = onMain();
        w = await onWorker();
      } else {
        w = await onWorker();
        m = onMain();
      }
      if (i < warmup) continue;
      out.rawMs.push(m.observation.inferenceMs);
      out.rawCallMs.push(m.callMs);
      out.workerInferenceMs.push(w.observation.inferenceMs);
      out.roundTripMs.push(w.roundTripMs);
      if (m.observation.faces.length > 0) out.facesMain++;
      if (w.observation.faces.length > 0) out.facesWorker++;
    }
    return out;
  },

  /**
   * The element's real-time loop: on each camera frame, skip it while one is in flight,
   * else copy it and landmark it. End to end = camera capture → observation on the page.
   */
  async liveLoop(mode: Mode, seconds: number): Promise<LiveSamples> {
    if (!client || !engine) throw new Error('initEngines() first');
    const source = await camera();
    const worker = client;
    const main = engine;
    const endToEndMs: number[] = [];
    let inFlight = false;
    let processed = 0;
    let firstFrame: number | undefined;
    let lastFrame = 0;
    const start = performance.now();
    const end = start + seconds * 1000;
    await new Promise<void>((done) => {
      const onFrame = async (_now: number, meta: VideoFrameCallbackMetadata): Promise<void> => {
        firstFrame ??= meta.presentedFrames;
        lastFrame = meta.presentedFrames;
        if (performance.now() >= end) return done();
        source.requestVideoFrameCallback(onFrame);
        if (inFlight) return;
        inFlight = true;
        try {
          const capturedAt = captureTime(meta);
          const bitmap = await createImageBitmap(source);
          if (mode === 'worker') {
            const result = await worker.process(bitmap, performance.now());
            if (result.status !== 'ok') return;
          } else {
            main.detect(bitmap, performance.now());
            bitmap.close();
          }
          processed++;
          endToEndMs.push(performance.now() - capturedAt);
        } finally {
          inFlight = false;
        }
      };
      source.requestVideoFrameCallback(onFrame);
    });
    return { endToEndMs, processed, cameraFrames: lastFrame - (firstFrame ?? lastFrame), durationMs: performance.now() - start };
  },

  /**
   * `<facepay-checkout>` from the script-tag bundle running a check against the bench's stub
   * API (it never completes, so it runs as long as asked), with the worker as shipped or
   * with landmarking on the main thread. Long tasks are what the shopper feels as jank.
   */
  async elementCheck(mode: Mode, seconds: number): Promise<CheckSamples> {
    const longTasks: PerformanceEntry[] = [];
    const longFrames: LongAnimationFrame[] = [];
    const observer = new PerformanceObserver((list) => longTasks.push(...list.getEntries()));
    observer.observe({ type: 'longtask', buffered: true });
    const frameObserver = new PerformanceObserver((list) => longFrames.push(...(list.getEntries() as LongAnimationFrame[])));
    frameObserver.observe({ type: 'long-animation-frame', buffered: true });
    const element = document.createElement('facepay-checkout') as unknown as CheckoutElement;
    element.setAttribute('session', 'bench');
    element.setAttribute('client-secret', 'bench');
    element.setAttribute('server', location.origin);
    let processed = 0;
    const shipped = element.visionFactory;
    const factory = mode === 'worker' ? shipped : createMainThreadClient;
    element.visionFactory = () => counting(factory(), () => processed++);

    const t0 = performance.now();
    document.body.append(element);
    void element.start();
    const running = await until(() => ['positioning', 'challenge', 'error'].includes(element.state), 60_000);
    if (!running || element.state === 'error') {
      const state = element.state;
      element.remove();
      observer.disconnect();
      frameObserver.disconnect();
      throw new Error(`the element did not start its check (state ${state})`);
    }
    const t1 = performance.now();
    const before = processed;
    // The check ends when the time is up or the liveness engine has decided (a still clip is
    // found out within seconds); after that the page is idle, which is not "during a check".
    await until(() => !['positioning', 'challenge'].includes(element.state), seconds * 1000);
    const t2 = performance.now();
    const after = processed;
    const state = element.state;
    element.cancel();
    element.remove();
    // Entries are delivered after the task ends: one more turn picks up the last ones.
    await sleep(100);
    observer.disconnect();
    frameObserver.disconnect();
    const within = (from: number, to: number): PerformanceEntry[] => longTasks.filter((e) => e.startTime >= from && e.startTime < to);
    const checkTasks = within(t1, t2);
    const longest = checkTasks.reduce<PerformanceEntry | undefined>((a, b) => (!a || b.duration > a.duration ? b : a), undefined);
    return {
      startMs: t1 - t0,
      startLongTasks: within(t0, t1).map((e) => e.duration),
      checkLongTasks: checkTasks.map((e) => e.duration),
      checkMs: t2 - t1,
      processed: after - before,
      state,
      ...(longest ? { longestCause: causeOf(longest, longFrames) } : {}),
    };
  },

  /**
   * The peer, Human, on the captured frames, interleaved with our raw FaceLandmarker; then
   * its antispoof and liveness models beside our liveness engine's verdict on those frames.
   */
  async peer(options: { warmup: number; timings: boolean; steps: Array<'blink' | 'turn-left'> }): Promise<PeerSamples> {
    const { Human } = await import('@vladmandic/human');
    const human: Human = new Human(humanConfig());
    const loadStart = performance.now();
    await human.load();
    const loadMs = performance.now() - loadStart;
    const main = await createFaceEngine(VISION_ASSETS);
    const faceOnly = { face: { antispoof: { enabled: false }, liveness: { enabled: false } } } as Partial<Config>;
    const withLiveness = { face: { antispoof: { enabled: true }, liveness: { enabled: true } } } as Partial<Config>;
    const out: Omit<PeerSamples, 'ours'> = {
      backend: human.tf.getBackend(),
      wasmSimd: Boolean(human.env.wasm.simd),
      wasmThreads: Boolean(human.env.wasm.multithread),
      loadMs,
      rawMs: [],
      humanFaceMs: [],
      humanLivenessMs: [],
      real: [],
      live: [],
      humanFaces: 0,
      ourFaces: 0,
    };
    const { width, height } = frames[0]!.bitmap;
    const tracker = new LivenessTracker({
      challenge: { nonce: 'bench', steps: options.steps },
      sessionId: 'bench',
      camera: { label: 'fake camera (bench clip)', width, height },
    });
    for (let i = 0; i < frames.length; i++) {
      const { bitmap, captureMs } = frames[i]!;
      const observation = main.detect(bitmap, captureMs);
      tracker.push(observation, performance.timeOrigin + captureMs);
      const timed = i >= options.warmup;
      if (timed) {
        out.rawMs.push(observation.inferenceMs);
        if (observation.faces.length > 0) out.ourFaces++;
      }
      if (options.timings) {
        const start = performance.now();
        await human.detect(bitmap, faceOnly);
        if (timed) out.humanFaceMs.push(performance.now() - start);
      }
      const start = performance.now();
      const result = await human.detect(bitmap, withLiveness);
      const face = result.face[0];
      if (!timed) continue;
      if (options.timings) out.humanLivenessMs.push(performance.now() - start);
      if (!face) continue;
      out.humanFaces++;
      if (face.real !== undefined) out.real.push(face.real);
      if (face.live !== undefined) out.live.push(face.live);
    }
    main.close();
    const { verdict, score, reasons } = tracker.evaluate();
    return { ...out, ours: { verdict, score, reasons } };
  },
};

/**
 * Human set up for a fair per-frame comparison: face models only, its wasm backend (the
 * counterpart of MediaPipe's CPU path here), no result cache (still clips would otherwise
 * be answered from it), and antispoof/liveness on every frame instead of every 99th.
 */
function humanConfig(): Partial<Config> {
  return {
    backend: 'wasm',
    wasmPath: new URL('/node_modules/@tensorflow/tfjs-backend-wasm/dist/', location.href).href,
    modelBasePath: new URL('/node_modules/@vladmandic/human/models/', location.href).href,
    cacheModels: false,
    cacheSensitivity: 0,
    warmup: 'none',
    debug: false,
    filter: { enabled: false },
    gesture: { enabled: false },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    segmentation: { enabled: false },
    face: {
      enabled: true,
      detector: { maxDetected: 2 },
      mesh: { enabled: true },
      iris: { enabled: true },
      emotion: { enabled: false },
      description: { enabled: false },
      antispoof: { enabled: true, skipFrames: 0, skipTime: 0 },
      liveness: { enabled: true, skipFrames: 0, skipTime: 0 },
    },
  } as Partial<Config>;
}

/** The longest script in the animation frames that overlap a long task, if any ran long enough to be listed. */
function causeOf(task: PerformanceEntry, frames: LongAnimationFrame[]): string {
  const end = task.startTime + task.duration;
  const scripts = frames
    .filter((f) => f.startTime < end && f.startTime + f.duration > task.startTime)
    .flatMap((f) => f.scripts)
    .sort((a, b) => b.duration - a.duration);
  const top = scripts[0];
  if (!top) return 'no script attributed (rendering, garbage collection or the thread descheduled)';
  const source = top.sourceURL.split('/').pop() || 'inline';
  const fn = top.sourceFunctionName ? ` ${top.sourceFunctionName}` : '';
  return `${top.invoker}${fn} in ${source}, ${Math.round(top.duration)} ms`;
}

function counting(inner: VisionClient, onObservation: () => void): VisionClient {
  return {
    get busy() {
      return inner.busy;
    },
    init: (options, onProgress) => inner.init(options, onProgress),
    prepareMatch: (options) => inner.prepareMatch(options),
    embedKept: (ids, options) => inner.embedKept(ids, options),
    async process(frame, timestampMs, options) {
      const result = await inner.process(frame, timestampMs, options);
      if (result.status === 'ok') onObservation();
      return result;
    },
    stats: () => inner.stats(),
    close: () => inner.close(),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > end) return false;
    await sleep(20);
  }
  return true;
}

export type BenchPageApi = typeof api;

window.bench = api;
