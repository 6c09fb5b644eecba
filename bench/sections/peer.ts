import { join } from 'node:path';
import { ROOT } from '@facepay/testkit';
import type { BenchContext } from '../context.js';
import type { PeerSamples } from '../page/bench-page.js';
import { distribution, ratio, single, text } from '../rows.js';
import type { Row } from '../results.js';
import { fileRow } from './size.js';

const HUMAN = join(ROOT, 'node_modules/@vladmandic/human');
const HUMAN_MODELS = ['blazeface', 'facemesh', 'iris', 'antispoof', 'liveness'];

/**
 * The same frames through `@vladmandic/human` (MIT, its own face models) in the same page,
 * interleaved with our raw FaceLandmarker; then its antispoof and liveness scores and our
 * liveness verdict on the subject clip and on a flat-photo attack.
 */
export async function run(ctx: BenchContext): Promise<Row[]> {
  const subject = await runOn(ctx, ctx.options.clip, true);
  const attack = await runOn(ctx, ctx.options.attackClip, false);
  const raw = distribution('raw-inference', 'ours: FaceLandmarker detectForVideo, main thread (baseline)', 'ms', subject.samples.rawMs);
  const threads = subject.samples.wasmThreads ? 'multi-threaded' : 'single-threaded';
  return [
    text('backend', 'Human backend', subject.samples.backend, `wasm ${subject.samples.wasmSimd ? 'SIMD' : 'no SIMD'}, ${threads}; TensorFlow.js 4.22`),
    single('load', 'Human: backend + face models loaded', 'ms', subject.samples.loadMs),
    raw,
    ratio(distribution('human-face', 'Human face pipeline (detector, mesh, iris), per frame', 'ms', subject.samples.humanFaceMs), raw),
    ratio(distribution('human-liveness', 'Human + antispoof + liveness models, per frame', 'ms', subject.samples.humanLivenessMs), raw),
    ...scoreRows(subject.clip, subject.samples),
    ...scoreRows(attack.clip, attack.samples),
    await fileRow('peer-script', 'size: Human dist/human.esm.js (bundles TensorFlow.js)', [join(HUMAN, 'dist/human.esm.js')]),
    await fileRow('peer-wasm', 'size: tfjs-backend-wasm SIMD binary', [join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')]),
    await fileRow(
      'peer-models',
      `size: Human face models used here (${HUMAN_MODELS.join(', ')})`,
      HUMAN_MODELS.flatMap((m) => [join(HUMAN, 'models', `${m}.json`), join(HUMAN, 'models', `${m}.bin`)]),
    ),
  ];
}

async function runOn(ctx: BenchContext, choice: string, timings: boolean): Promise<{ clip: string; samples: PeerSamples }> {
  const clip = await ctx.clip(choice);
  ctx.log(`peer: Human on clip ${clip.name}${timings ? ' (timed)' : ''}`);
  const bench = await ctx.openBenchPage(clip);
  try {
    await bench.call('captureFrames', ctx.options.samples + ctx.options.warmup);
    const samples = await bench.call('peer', { warmup: ctx.options.warmup, timings, steps: ['blink', 'turn-left'] });
    return { clip: clip.name, samples };
  } finally {
    await bench.close();
  }
}

function scoreRows(clip: string, samples: PeerSamples): Row[] {
  const score = (key: string, label: string, values: number[]): Row =>
    values.length
      ? { ...distribution(key, label, 'score', values), note: `0..1, higher = ${key.startsWith('real') ? 'real' : 'live'}` }
      : text(key, label, 'no face');
  const n = samples.rawMs.length;
  const { verdict, score: ourScore, reasons } = samples.ours;
  return [
    text(`faces-${clip}`, `clip ${clip}: frames with a face found`, `${samples.humanFaces}/${n} Human, ${samples.ourFaces}/${n} ours`),
    score(`real-${clip}`, `clip ${clip}: Human antispoof face.real`, samples.real),
    score(`live-${clip}`, `clip ${clip}: Human liveness face.live`, samples.live),
    text(
      `ours-${clip}`,
      `clip ${clip}: our liveness verdict (challenge blink, turn-left)`,
      `${verdict}, score ${ourScore}`,
      reasons.length ? `reasons: ${reasons.join(', ')}` : undefined,
    ),
  ];
}
