import type { BenchContext } from '../context.js';
import type { LiveSamples } from '../page/bench-page.js';
import { distribution, ratio, single, text } from '../rows.js';
import type { Row } from '../results.js';

/**
 * The worker against raw FaceLandmarker on the page's thread. First the same captured
 * frames through both, alternating, with nothing else running (per-frame cost); then the
 * element's real-time loop on the live camera, once with each (latency, rate, drops).
 */
export async function run(ctx: BenchContext): Promise<Row[]> {
  const { samples, warmup, seconds } = ctx.options;
  const clip = await ctx.clip(ctx.options.clip);
  const bench = await ctx.openBenchPage(clip);
  try {
    const captured = await bench.call('captureFrames', samples + warmup);
    const init = await bench.call('initEngines');
    ctx.log(`vision: ${captured.count} frames ${captured.width}x${captured.height}, delegates ${init.delegate}`);
    const frames = await bench.call('inference', warmup);
    ctx.log(`vision: real-time loop, worker, ${seconds} s`);
    const liveWorker = await bench.call('liveLoop', 'worker', seconds);
    ctx.log(`vision: real-time loop, main thread, ${seconds} s`);
    const liveMain = await bench.call('liveLoop', 'main', seconds);
    await bench.call('closeEngines');

    const raw = distribution('raw-inference', 'FaceLandmarker detectForVideo, main thread (baseline)', 'ms', frames.rawMs);
    const e2eMain = distribution('e2e-main', 'camera capture → observation, main thread (baseline)', 'ms', liveMain.endToEndMs);
    const n = frames.rawMs.length;
    const rows: Row[] = [
      text('clip', 'clip', clip.name, clip.about),
      raw,
      ratio(distribution('worker-inference', 'detectForVideo inside the worker', 'ms', frames.workerInferenceMs), raw),
      ratio(
        distribution('main-call', 'FaceEngine.detect, main thread (+ conversion to an Observation)', 'ms', frames.rawCallMs),
        raw,
      ),
      ratio(
        distribution(
          'worker-round-trip',
          'worker process(): transfer → landmarks → observation back',
          'ms',
          frames.roundTripMs,
          'ratio = worker overhead over raw inference',
        ),
        raw,
      ),
      distribution(
        'worker-messaging',
        'round trip minus inference in the worker (messages, transfer, conversion, scheduling)',
        'ms',
        frames.roundTripMs.map((ms, i) => ms - frames.workerInferenceMs[i]!),
      ),
      text('faces', 'frames with a face found', `${frames.facesMain}/${n} main, ${frames.facesWorker}/${n} worker`),
      e2eMain,
      ratio(distribution('e2e-worker', 'camera capture → observation on the page, worker', 'ms', liveWorker.endToEndMs), e2eMain),
      ...loopRows('worker', liveWorker),
      ...loopRows('main', liveMain),
    ];
    return rows;
  } finally {
    await bench.close();
  }
}

function loopRows(mode: 'worker' | 'main', live: LiveSamples): Row[] {
  const seconds = live.durationMs / 1000;
  const where = mode === 'worker' ? 'worker' : 'main thread';
  const dropped = Math.max(0, live.cameraFrames - live.processed);
  const share = live.cameraFrames > 0 ? ` (${((100 * dropped) / live.cameraFrames).toFixed(0)} %)` : '';
  return [
    single(`fps-${mode}`, `frames landmarked per second, ${where}`, 'fps', live.processed / seconds, `camera: ${(live.cameraFrames / seconds).toFixed(1)} fps, 640x480`),
    single(`dropped-${mode}`, `camera frames skipped (one in flight), ${where}`, 'frames', dropped, `of ${live.cameraFrames} in ${seconds.toFixed(1)} s${share}`),
  ];
}
