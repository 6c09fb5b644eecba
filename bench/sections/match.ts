import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  cosineSimilarity,
  CROP_CONSISTENCY_THRESHOLD,
  decodeCrop,
  loadNodeEmbedder,
  MATCH_THRESHOLD,
} from '@facepay/face/node';
import type * as vision from '@facepay/vision';
import { ensureClips, i420ToRgba, openHarness, readY4m, type ClipSet, type Y4mClip } from '@facepay/testkit';
import type { BenchContext } from '../context.js';
import type { Row } from '../results.js';
import { distribution, single, text } from '../rows.js';

/** The portraits and the generated clips whose frames are matched; swap-grace-xmorph changes person at its cut. */
const PORTRAITS = { grace: 'grace_hopper.jpg', xmorph: 'xmorph-ad-1.png' } as const;
const CLIPS = [
  'grace-live-blink-turn-left',
  'grace-live-turn-right-smile',
  'grace-live-open-mouth-nod',
  'grace-live-turn-left-blink',
  'grace-low-light',
  'xmorph-live-blink-turn-left',
  'swap-grace-xmorph',
] as const;

/** Frames a template is taken from, as the element should pick them: near-frontal, eyes open. */
export const NEAR_FRONTAL = { maxYaw: 15, maxPitch: 15, maxBlink: 0.5 } as const;

/** One face the worker embedded. */
interface Sample {
  source: string;
  subject: string;
  frame: number;
  yaw: number;
  pitch: number;
  blink: number;
  template: Float32Array;
  crop: string;
  workerMs: number;
}

type Page = Window & { facepay: { vision: typeof vision } };

/**
 * Face matching through the real vision worker on real pixels: the two portraits and every
 * `step`-th frame of the generated clips, embedded in the worker (template and JPEG crop),
 * then in Node from the crop as the server does in `frames` mode.
 */
export async function measureMatch(
  step: number,
  clipNames: readonly string[],
  log: (message: string) => void,
): Promise<{ samples: Sample[]; prepareMs: number[] }> {
  const clips: ClipSet = await ensureClips();
  let current: Y4mClip | undefined;
  const h = await openHarness({
    server: {
      handle: (req: IncomingMessage, res: ServerResponse) => {
        const match = /^\/__frames\/(\d+)$/.exec(req.url ?? '');
        if (!match || !current) return false;
        const rgba = i420ToRgba(current.frame(Number(match[1])), current.width, current.height);
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength));
        return true;
      },
    },
  });
  const samples: Sample[] = [];
  const prepareMs: number[] = [];
  try {
    const sources: Array<{ source: string; frames: number[]; subjectAt: (frame: number) => string; size?: [number, number] }> = [
      ...Object.entries(PORTRAITS).map(([subject, file]) => ({ source: file, frames: [0], subjectAt: () => subject })),
    ];
    for (const name of clipNames) {
      const manifest = clips.clips[name]!;
      const frames = Array.from({ length: Math.ceil(manifest.frames / step) }, (_, i) => i * step);
      const subjectAt = (frame: number): string =>
        manifest.subjects?.find((s) => frame / manifest.fps >= s.start && frame / manifest.fps < s.end)?.subject ?? manifest.subject ?? 'nobody';
      sources.push({ source: name, frames, subjectAt, size: [manifest.width, manifest.height] });
    }
    for (const { source, frames, subjectAt } of sources) {
      const isClip = !source.includes('.');
      if (isClip) current = await readY4m(clips.path(source, 'y4m'));
      // A fresh worker per source, as each checkout session has.
      const run = await h.page.evaluate(
        async ({ source, frames, isClip, size }) => {
          const client = (window as unknown as Page).facepay.vision.createVisionClient();
          const init = await client.init({});
          if (!init.ok) throw new Error(`init: ${init.error.code}: ${init.error.message}`);
          const prepare = await client.prepareMatch();
          if (!prepare.ok) throw new Error(`prepareMatch: ${prepare.error.code}: ${prepare.error.message}`);
          const out = [];
          for (const frame of frames) {
            const bitmap = isClip
              ? await createImageBitmap(new ImageData(new Uint8ClampedArray(await (await fetch(`/__frames/${frame}`)).arrayBuffer()), size![0], size![1]))
              : await createImageBitmap(await (await fetch(`/__shared/faces/${source}`)).blob());
            const result = await client.process(bitmap, 1 + (frame * 1000) / 30, { match: { crop: true } });
            if (result.status !== 'ok' || !result.match) continue;
            if (!result.match.ok) throw new Error(`frame ${frame}: ${result.match.error.code}: ${result.match.error.message}`);
            const face = result.observation.faces[0]!;
            let binary = '';
            for (const byte of result.match.crop!) binary += String.fromCharCode(byte);
            out.push({
              frame,
              yaw: face.pose.yaw,
              pitch: face.pose.pitch,
              blink: Math.max(face.blendshapes[9]!, face.blendshapes[10]!),
              template: Array.from(result.match.template),
              crop: btoa(binary),
              workerMs: result.match.ms,
            });
          }
          await client.close();
          return { prepareMs: prepare.initMs, out };
        },
        { source, frames, isClip, size: isClip ? [current!.width, current!.height] : undefined },
      );
      prepareMs.push(run.prepareMs);
      for (const s of run.out) samples.push({ source, subject: subjectAt(s.frame), ...s, template: Float32Array.from(s.template) });
      log(`match: ${source}: ${run.out.length} faces embedded`);
    }
  } finally {
    await h.close();
  }
  return { samples, prepareMs };
}

const nearFrontal = (s: Sample): boolean =>
  Math.abs(s.yaw) <= NEAR_FRONTAL.maxYaw && Math.abs(s.pitch) <= NEAR_FRONTAL.maxPitch && s.blink <= NEAR_FRONTAL.maxBlink;
const isPortrait = (s: Sample): boolean => s.source.includes('.');

/** Genuine and impostor pairs of the near-frontal samples (any pose for `genuine-any-pose`). */
export function pairSets(samples: readonly Sample[]): Record<string, number[]> {
  const use = samples.filter(nearFrontal);
  const sets: Record<string, number[]> = {
    'genuine-portrait-clip': [],
    'genuine-cross-clip': [],
    'genuine-low-light': [],
    'genuine-xmorph': [],
    'genuine-any-pose': [],
    'impostor-grace-xmorph': [],
    'impostor-swap': [],
  };
  for (let i = 0; i < use.length; i++) {
    for (let j = i + 1; j < use.length; j++) {
      const a = use[i]!;
      const b = use[j]!;
      const score = cosineSimilarity(a.template, b.template);
      if (a.subject !== b.subject) {
        sets[a.source === 'swap-grace-xmorph' && b.source === a.source ? 'impostor-swap' : 'impostor-grace-xmorph']!.push(score);
      } else if (a.source !== b.source) {
        if (a.subject === 'xmorph') sets['genuine-xmorph']!.push(score);
        else if (a.source === 'grace-low-light' || b.source === 'grace-low-light') sets['genuine-low-light']!.push(score);
        else if (isPortrait(a) || isPortrait(b)) sets['genuine-portrait-clip']!.push(score);
        else sets['genuine-cross-clip']!.push(score);
      }
    }
  }
  const portrait = samples.find((s) => s.source === PORTRAITS.grace)!;
  for (const s of samples) if (s.subject === 'grace' && !isPortrait(s)) sets['genuine-any-pose']!.push(cosineSimilarity(portrait.template, s.template));
  return sets;
}

const range = (xs: readonly number[]): string => `min ${Math.min(...xs).toFixed(3)}, max ${Math.max(...xs).toFixed(3)}`;

export async function run(ctx: BenchContext): Promise<Row[]> {
  // Quick mode (the bench's smoke test) proves the path on one clip of each person.
  const step = ctx.options.quick ? 45 : 6;
  const clipNames = ctx.options.quick ? ['grace-live-blink-turn-left', 'xmorph-live-blink-turn-left'] : CLIPS;
  const { samples, prepareMs } = await measureMatch(step, clipNames, ctx.log);
  const node = await loadNodeEmbedder();
  const nodeMs: number[] = [];
  const consistency: number[] = [];
  const forged: number[] = [];
  const cropBytes: number[] = [];
  try {
    for (const s of samples) {
      const pixels = decodeCrop(s.crop);
      const start = performance.now();
      const recomputed = await node.embed(pixels);
      nodeMs.push(performance.now() - start);
      cropBytes.push(Math.floor((s.crop.length * 3) / 4));
      consistency.push(cosineSimilarity(s.template, recomputed));
      const other = samples.find((o) => o.subject !== s.subject);
      if (other) forged.push(cosineSimilarity(other.template, recomputed));
    }
  } finally {
    node.dispose();
  }
  const sets = pairSets(samples);
  const genuine = Object.entries(sets).filter(([k]) => k.startsWith('genuine-') && k !== 'genuine-any-pose').flatMap(([, v]) => v);
  const impostor = Object.entries(sets).filter(([k]) => k.startsWith('impostor-')).flatMap(([, v]) => v);
  const scoreRows = Object.entries(sets)
    .filter(([, v]) => v.length > 0)
    .map(([key, v]) => distribution(key, labels[key]!, 'score', v, range(v)));
  return [
    text('model', 'model', 'faceres-1: FaceRes (HSE-FaceRec MobileNet) 1024-d, TensorFlow.js wasm backend'),
    text('frames', 'faces embedded', `${samples.length} (${samples.filter(nearFrontal).length} near-frontal: |yaw|, |pitch| ≤ 15°, eyes open), every ${step}th clip frame`),
    distribution('prepare', 'prepareMatch() in a fresh worker (chunk, model, wasm backend, warm-up)', 'ms', prepareMs),
    distribution('worker-embed', 'one face in the worker: aligned crop + FaceRes', 'ms', samples.map((s) => s.workerMs)),
    distribution('node-embed', 'one crop in Node (the server, frames mode)', 'ms', nodeMs),
    ...scoreRows,
    single('threshold', 'MATCH_THRESHOLD', 'score', MATCH_THRESHOLD),
    ...(genuine.length ? [single('genuine-margin', 'lowest near-frontal genuine score − MATCH_THRESHOLD', 'score', Math.min(...genuine) - MATCH_THRESHOLD)] : []),
    ...(impostor.length ? [single('impostor-margin', 'MATCH_THRESHOLD − highest impostor score', 'score', MATCH_THRESHOLD - Math.max(...impostor))] : []),
    distribution('crop-consistency', "worker template vs Node's from the worker's JPEG crop", 'score', consistency, range(consistency)),
    ...(forged.length ? [distribution('crop-forged', "another person's template vs Node's from this crop", 'score', forged, range(forged))] : []),
    single('crop-consistency-threshold', 'CROP_CONSISTENCY_THRESHOLD', 'score', CROP_CONSISTENCY_THRESHOLD),
    distribution('crop-bytes', 'JPEG crop (224², quality 0.85)', 'bytes', cropBytes),
  ];
}

const labels: Record<string, string> = {
  'genuine-portrait-clip': 'genuine: Grace portrait vs her clip frames',
  'genuine-cross-clip': 'genuine: Grace, frames of different clips',
  'genuine-low-light': 'genuine: grace-low-light vs her other frames and portrait',
  'genuine-xmorph': 'genuine: bearded man, portrait and frames across clips',
  'genuine-any-pose': 'genuine: Grace portrait vs every clip frame with her face, any pose (not near-frontal)',
  'impostor-grace-xmorph': 'impostor: Grace vs the bearded man (portraits, clips)',
  'impostor-swap': 'impostor: swap-grace-xmorph, before vs after the cut',
};
