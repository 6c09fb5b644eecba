import {
  CHALLENGE_STEPS,
  EVIDENCE_MAX_BYTES,
  EVIDENCE_VERSION,
  type Challenge,
  type ChallengeStep,
  type Evaluation,
  type Evidence,
  type EvidenceCamera,
  type EvidenceFrame,
  type EvidenceMatch,
  FACE_MODEL_ID,
  MATCH_MAX_SAMPLES,
  type GuidanceCode,
  type Observation,
  type ReasonCode,
} from '@facepay/protocol';
import { evaluate } from './evaluate.js';
import { toEvidenceFrame } from './features.js';
import { resolvePolicy, type LivenessPolicy, type PolicyOverrides } from './policy.js';
import { ChallengeRun, TrackerPhase, type RunState } from './run.js';
import { frameSize } from './signals.js';

export interface TrackerUpdate {
  phase: TrackerPhase;
  /** What the shopper should fix now (no face, too far, ...). */
  guidance?: GuidanceCode;
  /** The step to prompt, while `phase` is `step`. */
  step?: ChallengeStep;
  /** Steps done so far (the current step's index). */
  index: number;
  total: number;
  completed: boolean;
  /** Why the challenge ended without completing. */
  reason?: ReasonCode;
}

export interface LivenessTrackerOptions {
  challenge: Challenge;
  policy?: PolicyOverrides;
  sessionId: string;
  camera: EvidenceCamera;
}

interface Recorded {
  epochMs: number;
  frame: EvidenceFrame;
  /** The frame's JSON size with its comma. */
  bytes: number;
}

const encoder = new TextEncoder();

/** A face sample for a match, as the page hands it over: base64 template, optional crop. */
export interface TrackerMatchSample {
  template: string;
  crop?: string;
}

interface RecordedSample extends TrackerMatchSample {
  epochMs: number;
}

/**
 * Quality-phase frames kept beyond the gate's own: enough for the evidence to show why a
 * shopper never got past the gate, without growing while they adjust.
 */
const QUALITY_TAIL_MS = 1000;

/**
 * The browser side: fed the worker's observations, it runs the same step logic as
 * `evaluate` (on the same quantised frames) for instant prompts, and records the
 * evidence the server re-decides on.
 *
 * Recording keeps only the last moments of the quality phase (the gate's frames, which
 * are the baseline, and a second before), so the evidence stays small however long the
 * shopper takes to get into the outline; the replay in `evaluate` reaches the same gate
 * on them. Frames closer together than `minFrameIntervalMs` are skipped, and recording
 * stops before the evidence would outgrow `EVIDENCE_MAX_BYTES` (the session then ends
 * incomplete).
 */
export class LivenessTracker {
  readonly #challenge: Challenge;
  readonly #policy: LivenessPolicy;
  readonly #sessionId: string;
  readonly #camera: EvidenceCamera;
  readonly #run: ChallengeRun;
  readonly #envelopeBytes: number;
  #recorded: Recorded[] = [];
  #bytes = 0;
  #origin: number | undefined;
  #lastEpoch: number | undefined;
  #dropped = 0;
  #update: TrackerUpdate;
  #samples: RecordedSample[] = [];
  #maxSamples = MATCH_MAX_SAMPLES;

  constructor(options: LivenessTrackerOptions) {
    const { challenge } = options;
    if (!challenge || typeof challenge.nonce !== 'string' || !Array.isArray(challenge.steps) || challenge.steps.length === 0) {
      throw new TypeError('LivenessTracker needs a challenge with a nonce and at least one step');
    }
    for (const step of challenge.steps) {
      if (!(CHALLENGE_STEPS as readonly string[]).includes(step)) throw new TypeError(`Unknown challenge step: ${String(step)}`);
    }
    this.#challenge = { nonce: challenge.nonce, steps: [...challenge.steps] };
    this.#policy = resolvePolicy(options.policy);
    this.#sessionId = options.sessionId;
    this.#camera = options.camera;
    this.#run = new ChallengeRun(this.#challenge.steps, this.#policy, frameSize(options.camera));
    // Room for the envelope's numbers to grow (startedAt, droppedFrames).
    this.#envelopeBytes = encoder.encode(JSON.stringify(this.#build([]))).length + 32;
    this.#update = this.#toUpdate(this.#run.state);
  }

  /** The latest update (what the last `push` returned). */
  get update(): TrackerUpdate {
    return this.#update;
  }

  /**
   * Feeds one observation. `epochMs` is the frame's wall-clock time (ms since the epoch,
   * e.g. `performance.timeOrigin + timestampMs`), `luma` its mean brightness 0..255 when
   * measured. Frames after the end, out of order, or too close to the last are ignored.
   */
  push(observation: Observation, epochMs: number, luma?: number): TrackerUpdate {
    if (!Number.isFinite(epochMs)) throw new TypeError(`epochMs must be a finite number, got ${epochMs}`);
    if (this.#update.phase === TrackerPhase.Done) return this.#update;
    const epoch = Math.round(epochMs);
    if (this.#lastEpoch !== undefined && epoch - this.#lastEpoch < Math.max(1, this.#policy.minFrameIntervalMs)) return this.#update;
    this.#lastEpoch = epoch;
    this.#origin ??= epoch;
    const frame = toEvidenceFrame(observation, epoch - this.#origin, luma);
    // Sized with the largest t it could carry: the session's whole span so far.
    const bytes = JSON.stringify({ ...frame, t: epoch - this.#origin }).length + 1;
    if (this.#run.state.phase === TrackerPhase.Step && this.#envelopeBytes + this.#bytes + bytes > EVIDENCE_MAX_BYTES) {
      this.#update = this.#toUpdate({ ...this.#run.finish(), phase: TrackerPhase.Done, completed: false });
      return this.#update;
    }
    const state = this.#run.push(frame);
    this.#recorded.push({ epochMs: epoch, frame, bytes });
    this.#bytes += bytes;
    if (state.phase === TrackerPhase.Quality) {
      // The gate's frames all lie within `qualityHoldMs`: older ones cannot change the replay.
      const keepFrom = epoch - this.#policy.qualityHoldMs - QUALITY_TAIL_MS;
      while (this.#recorded.length && this.#recorded[0]!.epochMs < keepFrom) this.#bytes -= this.#recorded.shift()!.bytes;
    }
    this.#update = this.#toUpdate(state);
    return this.#update;
  }

  /** Counts frames the page could not analyse (the worker was busy); reported in the evidence. */
  noteDropped(count = 1): void {
    if (this.#update.phase !== TrackerPhase.Done) this.#dropped += count;
  }

  /** The evidence recorded so far, for `POST /v1/sessions/:id/verify`. */
  evidence(): Evidence {
    const evidence = this.#build(this.#recorded);
    const match = this.#match(evidence.startedAt);
    if (match) evidence.match = match;
    return evidence;
  }

  /** Whether the frame pushed at `epochMs` is in the evidence (not skipped, not trimmed). */
  isRecorded(epochMs: number): boolean {
    const epoch = Math.round(epochMs);
    let lo = 0;
    let hi = this.#recorded.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = this.#recorded[mid]!.epochMs;
      if (at === epoch) return true;
      if (at < epoch) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /**
   * When each step completed so far went furthest and came back to neutral (epoch ms of
   * those frames): the same frames `stepTimes` finds in the evidence on the server.
   */
  steps(): { step: ChallengeStep; peakEpochMs: number; doneEpochMs: number }[] {
    const origin = this.#origin ?? 0;
    return this.#run.records.map(({ step, peakT, doneT }) => ({ step, peakEpochMs: origin + peakT, doneEpochMs: origin + doneT }));
  }

  /**
   * Keeps a face sample (template, optional crop) taken from the frame pushed at `epochMs`,
   * so the server can bind it to that frame. Returns false when that frame is not in the
   * evidence (skipped as too close to the previous one, trimmed, or after the end) or
   * already has a sample. At most `limit` samples are kept, in time order: the first and
   * the latest ones, so they span the session.
   */
  addMatchSample(epochMs: number, sample: TrackerMatchSample, limit = MATCH_MAX_SAMPLES): boolean {
    const epoch = Math.round(epochMs);
    if (!this.isRecorded(epoch) || this.#samples.some((s) => s.epochMs === epoch)) return false;
    this.#maxSamples = Math.max(1, Math.min(MATCH_MAX_SAMPLES, Math.floor(limit)));
    const first = this.#recorded[0]!.epochMs;
    this.#samples = this.#samples.filter((s) => s.epochMs >= first);
    this.#samples.push({ epochMs: epoch, ...sample });
    this.#samples.sort((a, b) => a.epochMs - b.epochMs);
    while (this.#samples.length > this.#maxSamples) this.#samples.splice(1, 1);
    return true;
  }

  #match(startedAt: number): EvidenceMatch | undefined {
    const first = this.#recorded[0]?.epochMs ?? Infinity;
    const samples = this.#samples
      .filter((s) => s.epochMs >= first)
      .map(({ epochMs, template, crop }) => ({ t: epochMs - startedAt, template, ...(crop ? { crop } : {}) }));
    return samples.length ? { model: FACE_MODEL_ID, samples } : undefined;
  }

  /** The browser's own verdict on the evidence so far (the server decides again). */
  evaluate(): Evaluation {
    return evaluate(this.evidence(), this.#challenge, this.#policy);
  }

  #build(recorded: Recorded[]): Evidence {
    const startedAt = recorded[0]?.epochMs ?? this.#lastEpoch ?? 0;
    return {
      version: EVIDENCE_VERSION,
      sessionId: this.#sessionId,
      nonce: this.#challenge.nonce,
      steps: [...this.#challenge.steps],
      startedAt,
      frames: recorded.map(({ epochMs, frame }) => ({ ...frame, t: epochMs - startedAt })),
      camera: this.#camera,
      droppedFrames: this.#dropped,
    };
  }

  #toUpdate(state: RunState): TrackerUpdate {
    const total = this.#challenge.steps.length;
    const update: TrackerUpdate = { phase: state.phase, index: state.index, total, completed: state.completed };
    if (state.guidance) update.guidance = state.guidance;
    if (state.phase === TrackerPhase.Step) update.step = this.#challenge.steps[state.index]!;
    if (state.reason) update.reason = state.reason;
    return update;
  }
}
