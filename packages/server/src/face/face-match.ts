import { ErrorCode, FacePayError, MatchAssurance, MatchReason, type Evidence } from '@facepay/protocol';
import { ApiError } from '../api-error.js';
import type { SessionFace } from '../records.js';
import type { CropEmbedder } from './embedder.js';
import { decodeSamples, samplesBound, type DecodedSample, type StepWindow } from './samples.js';

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

type FaceLib = typeof import('@facepay/face');
let faceLib: Promise<FaceLib> | undefined;

/**
 * `@facepay/face` (thresholds, cosine similarity) on first use: its entry also loads
 * TensorFlow.js (≈ 0.5 s, 40 MB), which a server without face sessions, and the CLI, need not.
 */
function face(): Promise<FaceLib> {
  faceLib ??= import('@facepay/face').catch((error: unknown) => {
    faceLib = undefined;
    throw error;
  });
  return faceLib;
}

export type MatchDecision = {
  /** Time spent embedding crops (`frames` mode), queueing included. */
  embedMs: number;
  /** The payment's score: the least similar sample's cosine with the enrolment. */
  score?: number;
  /** `MATCH_THRESHOLD`, which the score is held to. */
  threshold: number;
} & (
  | { passed: true; /** The enrolment template: the trusted samples' mean, L2-normalised. */ mean: Float32Array }
  | { passed: false; reason: MatchReason }
);

/**
 * The face half of a verify, once liveness passed: the samples belong to the evidence, are
 * (in `frames` mode) what their crops give, show one person, and (for a payment) that
 * person is the enrolled customer. Every sample must pass: the score is the least similar.
 * The templates decided on are the server's own in `frames` mode.
 */
export async function decideMatch(
  samples: DecodedSample[],
  evidence: Evidence,
  steps: readonly StepWindow[],
  session: SessionFace,
  enrolled: Float32Array | undefined,
  embedder: CropEmbedder,
): Promise<MatchDecision> {
  const { CROP_CONSISTENCY_THRESHOLD, MATCH_THRESHOLD, cosineSimilarity, l2Normalize } = await face();
  let embedMs = 0;
  const refuse = (reason: MatchReason, score?: number): MatchDecision => ({ passed: false, reason, embedMs, threshold: MATCH_THRESHOLD, ...(score !== undefined && { score }) });
  if (!samplesBound(samples, evidence, session.assurance, steps)) return refuse(MatchReason.FaceMissing);
  let templates = samples.map((sample) => sample.template);
  if (session.assurance === MatchAssurance.Frames) {
    const own: Float32Array[] = [];
    for (const [i, sample] of samples.entries()) {
      const started = performance.now();
      const template = await embedder.embedCrop(sample.crop!).catch((error: unknown) => {
        if (error instanceof FacePayError && error.code === ErrorCode.CropInvalid) throw invalid(`match.samples.${i}.crop: ${error.message}`);
        throw error;
      });
      embedMs += performance.now() - started;
      if (cosineSimilarity(template, templates[i]!) < CROP_CONSISTENCY_THRESHOLD) return refuse(MatchReason.TemplateMismatch);
      own.push(template);
    }
    templates = own;
  }
  for (let i = 0; i < templates.length; i++) {
    for (let j = i + 1; j < templates.length; j++) {
      if (cosineSimilarity(templates[i]!, templates[j]!) < MATCH_THRESHOLD) return refuse(MatchReason.FaceInconsistent);
    }
  }
  let score: number | undefined;
  if (enrolled) {
    score = Math.min(...templates.map((template) => cosineSimilarity(template, enrolled)));
    if (score < MATCH_THRESHOLD) return refuse(MatchReason.FaceMismatch, score);
  }
  const mean = new Float32Array(templates[0]!.length);
  for (const template of templates) for (let i = 0; i < mean.length; i++) mean[i] = mean[i]! + template[i]!;
  // One person's samples (checked above) never cancel out to zero.
  l2Normalize(mean);
  return { passed: true, mean, embedMs, threshold: MATCH_THRESHOLD, ...(score !== undefined && { score }) };
}

/** Whether a refused match ends the session: an attack (a swap, a forged template) does; "not you" and missing samples may be retried. */
export function matchEndsSession(reason: MatchReason): boolean {
  return reason === MatchReason.FaceInconsistent || reason === MatchReason.TemplateMismatch;
}

/** As the schema's refusals: the message and the one issue. */
function invalid(issue: string): ApiError {
  return new ApiError(ErrorCode.EvidenceInvalid, 'The face samples are malformed', { details: { issues: [issue] } });
}
