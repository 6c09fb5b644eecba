import {
  MATCH_SAMPLE_END_WITHIN_MS,
  MATCH_SAMPLE_MAX_POSE_DEG,
  MATCH_SAMPLE_STEP_LEAD_MS,
  MatchAssurance,
  decodeTemplate,
  type Evidence,
  type EvidenceMatch,
} from '@facepay/protocol';

/** Samples the challenge asks for (`MatchRequest.samples`); fewer is `face-missing`. */
export const MATCH_SAMPLES = 3;

/** A sample's frame must show one face within this many degrees of yaw and pitch (see the protocol's note). */
export const SAMPLE_MAX_POSE_DEG = MATCH_SAMPLE_MAX_POSE_DEG;

/** The last sample must lie within this many ms of the evidence's last frame. */
export const SAMPLE_END_WITHIN_MS = MATCH_SAMPLE_END_WITHIN_MS;

/** Every step needs a sample from at most this long before its peak up to its completion. */
export const SAMPLE_STEP_LEAD_MS = MATCH_SAMPLE_STEP_LEAD_MS;

/** A completed challenge step's times in the evidence (`stepTimes` from `@facepay/liveness`). */
export interface StepWindow {
  peakT: number;
  doneT: number;
}

/**
 * The samples must span at least this fraction of the evidence's duration (first to last
 * frame), so they come from across the session: a swap after the first sample is caught.
 */
export const SAMPLE_MIN_SPREAD = 0.5;

/** How far a template's length may be from 1 (they are L2-normalised; float32 rounding is far smaller). */
const NORM_TOLERANCE = 0.01;

/** A sample as sent, its template decoded. */
export interface DecodedSample {
  t: number;
  template: Float32Array;
  /** Base64 JPEG, as sent (`frames` mode). */
  crop?: string;
}

/**
 * Decodes the samples' templates. A malformed one (not finite, not unit length) or two
 * samples at one time are the sender's bug: the message says which, never a value.
 */
export function decodeSamples(match: EvidenceMatch): { ok: true; samples: DecodedSample[] } | { ok: false; message: string } {
  const times = new Set<number>();
  const samples: DecodedSample[] = [];
  for (const [i, sample] of match.samples.entries()) {
    if (times.has(sample.t)) return { ok: false, message: `match.samples.${i}.t: two samples at one time` };
    times.add(sample.t);
    const template = decodeTemplate(sample.template);
    if (!template) return { ok: false, message: `match.samples.${i}.template: not float32 values (finite, little-endian)` };
    if (Math.abs(Math.hypot(...template) - 1) > NORM_TOLERANCE) return { ok: false, message: `match.samples.${i}.template: not L2-normalised` };
    samples.push(sample.crop === undefined ? { t: sample.t, template } : { t: sample.t, template, crop: sample.crop });
  }
  return { ok: true, samples };
}

/**
 * Whether the samples are the ones the session asked for and belong to the evidence: enough
 * of them, each at the time of a frame with exactly one face within SAMPLE_MAX_POSE_DEG,
 * spread over the session with the last near its end (whoever did the final step is
 * compared: a face swapped in late cannot hide behind early samples), one from every
 * step's own stretch (SAMPLE_STEP_LEAD_MS before its peak up to its completion: whoever did
 * each action is compared), and in `frames` mode each with its crop. Otherwise `face-missing`.
 */
export function samplesBound(samples: DecodedSample[], evidence: Evidence, assurance: MatchAssurance, steps: readonly StepWindow[]): boolean {
  if (samples.length < MATCH_SAMPLES) return false;
  if (assurance === MatchAssurance.Frames && samples.some((sample) => sample.crop === undefined)) return false;
  const frames = new Map(evidence.frames.map((frame) => [frame.t, frame]));
  for (const sample of samples) {
    const frame = frames.get(sample.t);
    if (!frame?.face || frame.faces !== 1) return false;
    const [yaw, pitch] = frame.face.pose;
    if (Math.abs(yaw) > SAMPLE_MAX_POSE_DEG || Math.abs(pitch) > SAMPLE_MAX_POSE_DEG) return false;
  }
  const times = evidence.frames.map((frame) => frame.t);
  const duration = Math.max(...times) - Math.min(...times);
  const last = Math.max(...samples.map((s) => s.t));
  const spread = last - Math.min(...samples.map((s) => s.t));
  if (spread < SAMPLE_MIN_SPREAD * duration || last < Math.max(...times) - SAMPLE_END_WITHIN_MS) return false;
  return steps.every((step) => samples.some((sample) => sample.t >= step.peakT - SAMPLE_STEP_LEAD_MS && sample.t <= step.doneT));
}
