import { decodeCrop, encodeCrop, loadNodeEmbedder } from '@facepay/face/node';
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
 * Frame times for samples: the frontal one-face frames nearest 10 %, 45 % and 90 % of the
 * evidence (the holds before, between and after the steps of the synthetic face).
 */
export function sampleTimes(evidence: Evidence, count = 3): number[] {
  const frontal = evidence.frames.filter((frame) => frame.faces === 1 && frame.face && Math.abs(frame.face.pose[0]) < 5 && Math.abs(frame.face.pose[1]) < 5);
  const end = evidence.frames.at(-1)!.t;
  const targets = [0.1, 0.45, 0.9, 0.7].slice(0, count);
  return targets.map((at) => frontal.reduce((best, frame) => (Math.abs(frame.t - at * end) < Math.abs(best.t - at * end) ? frame : best)).t);
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
