import { CROP_CONSISTENCY_THRESHOLD, MATCH_THRESHOLD, cosineSimilarity } from '@facepay/face';
import { ErrorCode, FacePayError, MatchAssurance, MatchReason, type Evidence } from '@facepay/protocol';
import { ApiError } from '../api-error.js';
import type { SessionFace } from '../records.js';
import type { CropEmbedder } from './embedder.js';
import { decodeSamples, matchScore, minPairwiseSimilarity, samplesBound, type DecodedSample } from './samples.js';

/**
 * Decodes the templates of the samples a face session sent; malformed ones are
 * `evidence-invalid` (400) before the attempt counts. A session that asked for none may get
 * none, and crops come only in `frames` mode: face data the server did not ask for is
 * refused, not ignored. (Crops are decoded with their embedding, off the event loop; a
 * crop that is no JPEG is `evidence-invalid` then.)
 */
export function prepareSamples(evidence: Evidence, face: SessionFace | undefined): DecodedSample[] {
  if (!face) {
    if (evidence.match) throw new ApiError(ErrorCode.EvidenceInvalid, 'This session asked for no face samples: send no match member');
    return [];
  }
  if (!evidence.match) return [];
  const decoded = decodeSamples(evidence.match);
  if (!decoded.ok) throw invalid(decoded.message);
  const i = decoded.samples.findIndex((sample) => sample.crop !== undefined);
  if (i >= 0 && face.assurance !== MatchAssurance.Frames) throw invalid(`match.samples.${i}.crop: this session asked for templates only (features mode)`);
  return decoded.samples;
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
  samples: DecodedSample[],
  evidence: Evidence,
  face: SessionFace,
  enrolled: Float32Array | undefined,
  embedder: CropEmbedder,
): Promise<MatchDecision> {
  let embedMs = 0;
  if (!samplesBound(samples, evidence, face.assurance)) return { passed: false, reason: MatchReason.FaceMissing, embedMs };
  let templates = samples.map((sample) => sample.template);
  if (face.assurance === MatchAssurance.Frames) {
    const own: Float32Array[] = [];
    for (const [i, sample] of samples.entries()) {
      const started = performance.now();
      const template = await embedder.embedCrop(sample.crop!).catch((error: unknown) => {
        if (error instanceof FacePayError && error.code === ErrorCode.CropInvalid) throw invalid(`match.samples.${i}.crop: ${error.message}`);
        throw error;
      });
      embedMs += performance.now() - started;
      if (cosineSimilarity(template, templates[i]!) < CROP_CONSISTENCY_THRESHOLD) return { passed: false, reason: MatchReason.TemplateMismatch, embedMs };
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

/** As the schema's refusals: the message and the one issue. */
function invalid(issue: string): ApiError {
  return new ApiError(ErrorCode.EvidenceInvalid, 'The face samples are malformed', { details: { issues: [issue] } });
}
