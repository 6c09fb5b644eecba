import { decodeCrop, encodeCrop, loadNodeEmbedder } from '@facepay/face/node';
import { pickSamples, stepTimes } from '@facepay/liveness';
import { encodeTemplate, type Evidence, type EvidenceMatch } from '@facepay/protocol';
import { portraitCrop, type PortraitName } from './portraits.js';

/** One sample's material: a template and the crop it came from (base64 JPEG, as the worker sends). */
export interface FaceShot {
  template: Float32Array;
  crop: string;
}

/** Crop variations, as frames of one session differ (position and scale of the face). */
const VARIANTS: { shift: [number, number]; zoom: number }[] = [
  { shift: [0, 0], zoom: 1 },
  { shift: [0.03, 0], zoom: 1 },
  { shift: [-0.03, 0.02], zoom: 1.05 },
  { shift: [0, -0.03], zoom: 0.95 },
];

/**
 * Real templates of the two test portraits, `VARIANTS.length` shots each, computed with the
 * Node embedder from the JPEG crops themselves (as the browser sends them in `frames` mode).
 */
export async function portraitShots(): Promise<Record<PortraitName, FaceShot[]>> {
  const embedder = await loadNodeEmbedder();
  try {
    const shots = async (name: PortraitName) => {
      const result: FaceShot[] = [];
      for (const variant of VARIANTS) {
        const crop = encodeCrop(await portraitCrop(name, variant));
        result.push({ template: await embedder.embed(decodeCrop(crop)), crop });
      }
      return result;
    };
    return { grace: await shots('grace'), bearded: await shots('bearded') };
  } finally {
    embedder.dispose();
  }
}

/**
 * Frame times for samples, chosen as the element chooses them (`pickSamples`): among the
 * frontal one-face frames, the first, one from each step's stretch and more spread out.
 */
export function sampleTimes(evidence: Evidence, count = 3): number[] {
  const frontal = evidence.frames.filter((frame) => frame.faces === 1 && frame.face && Math.abs(frame.face.pose[0]) < 5 && Math.abs(frame.face.pose[1]) < 5).map((frame) => frame.t);
  const steps = stepTimes(evidence, { nonce: evidence.nonce, steps: evidence.steps }).map(({ peakT, doneT }) => ({ peak: peakT, done: doneT }));
  return pickSamples(frontal, steps, count).map((i) => frontal[i]!);
}

/** The evidence with a `match` member: one sample per shot, at `sampleTimes`, crops when asked. */
export function withSamples(evidence: Evidence, shots: (FaceShot | { template: Float32Array; crop?: string })[], options: { crops?: boolean } = {}): Evidence {
  const times = sampleTimes(evidence, shots.length);
  const match: EvidenceMatch = {
    model: 'faceres-1',
    samples: shots.map((shot, i) => ({ t: times[i]!, template: encodeTemplate(shot.template), ...(options.crops && shot.crop !== undefined && { crop: shot.crop }) })),
  };
  return { ...evidence, match };
}
