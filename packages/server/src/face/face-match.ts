import { CROP_CONSISTENCY_THRESHOLD, MATCH_THRESHOLD } from '@facepay/face';
import { ErrorCode, FACE_CROP_SIZE, MatchAssurance, MatchReason, type Evidence } from '@facepay/protocol';
import { ApiError } from '../api-error.js';
import type { SessionFace } from '../records.js';
import type { CropEmbedder, CropPixels } from './embedder.js';
import { decodeSamples, matchScore, minPairwiseSimilarity, samplesBound, similarity, type DecodedSample } from './samples.js';

/** The evidence's face samples, decoded and checked for form (before the attempt counts). */
export interface PreparedSamples {
  samples: DecodedSample[];
  /** `frames` mode: each sample's crop, decoded. */
  crops: CropPixels[];
}

/**
 * Decodes the samples a face session sent; malformed ones are `evidence-invalid` (400).
 * A session that asked for none may get none, and crops come only when asked for: face
 * data the server did not ask for is refused, not ignored.
 */
export async function prepareSamples(evidence: Evidence, face: SessionFace | undefined, embedder: CropEmbedder): Promise<PreparedSamples> {
  if (!face) {
    if (evidence.match) throw new ApiError(ErrorCode.EvidenceInvalid, 'This session asked for no face samples: send no match member');
    return { samples: [], crops: [] };
  }
  if (!evidence.match) return { samples: [], crops: [] };
  const decoded = decodeSamples(evidence.match);
  if (!decoded.ok) throw new ApiError(ErrorCode.EvidenceInvalid, decoded.message);
  const crops: CropPixels[] = [];
  for (const [i, sample] of decoded.samples.entries()) {
    if (sample.crop === undefined) continue;
    if (face.assurance !== MatchAssurance.Frames) throw new ApiError(ErrorCode.EvidenceInvalid, `match.samples.${i}.crop: this session asked for templates only (features mode)`);
    let pixels: CropPixels | undefined;
    try {
      pixels = await embedder.decode(sample.crop);
    } catch {
      pixels = undefined;
    }
    if (!pixels || pixels.width !== FACE_CROP_SIZE || pixels.height !== FACE_CROP_SIZE) {
      throw new ApiError(ErrorCode.EvidenceInvalid, `match.samples.${i}.crop: not a ${FACE_CROP_SIZE}×${FACE_CROP_SIZE} JPEG`);
    }
    crops.push(pixels);
  }
  return { samples: decoded.samples, crops };
}

export type MatchDecision = { embedMs: number; score?: number } & (
  | { passed: true; /** The templates the decision trusted (the server's own in `frames` mode). */ templates: Float32Array[] }
  | { passed: false; reason: MatchReason }
);

/**
 * The face half of a verify, once liveness passed: the samples belong to the evidence, are
 * (in `frames` mode) what their crops give, show one person, and (for a payment) that
 * person is the enrolled customer. Every sample must pass: the score is the least similar.
 */
export async function decideMatch(
  prepared: PreparedSamples,
  evidence: Evidence,
  face: SessionFace,
  enrolled: Float32Array | undefined,
  embedder: CropEmbedder,
): Promise<MatchDecision> {
  let embedMs = 0;
  if (!samplesBound(prepared.samples, evidence, face.assurance)) return { passed: false, reason: MatchReason.FaceMissing, embedMs };
  let templates = prepared.samples.map((sample) => sample.template);
  if (face.assurance === MatchAssurance.Frames) {
    const own: Float32Array[] = [];
    for (const [i, crop] of prepared.crops.entries()) {
      const started = performance.now();
      const template = await embedder.embed(crop);
      embedMs += performance.now() - started;
      if (similarity(template, templates[i]!) < CROP_CONSISTENCY_THRESHOLD) return { passed: false, reason: MatchReason.TemplateMismatch, embedMs };
      own.push(template);
    }
    templates = own;
  }
  if (minPairwiseSimilarity(templates) < MATCH_THRESHOLD) return { passed: false, reason: MatchReason.FaceInconsistent, embedMs };
  if (!enrolled) return { passed: true, templates, embedMs };
  const score = matchScore(templates, enrolled);
  if (score < MATCH_THRESHOLD) return { passed: false, reason: MatchReason.FaceMismatch, score, embedMs };
  return { passed: true, templates, score, embedMs };
}

/** Whether a refused match ends the session: an attack (a swap, a forged template) does; "not you" and missing samples may be retried. */
export function matchEndsSession(reason: MatchReason): boolean {
  return reason === MatchReason.FaceInconsistent || reason === MatchReason.TemplateMismatch;
}
