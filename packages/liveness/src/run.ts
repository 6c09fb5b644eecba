import { GuidanceCode, ReasonCode, type ChallengeStep, type EvidenceFace, type EvidenceFrame } from '@facepay/protocol';
import { median } from './geometry.js';
import type { LivenessPolicy } from './policy.js';
import { faceSize, mouthWidth, pixelPoints, type FrameSize } from './signals.js';

/** Where a challenge run (and the browser's tracker, which wraps one) stands. */
export const TrackerPhase = {
  /** Waiting for one usable, frontal face; `guidance` says what to fix. */
  Quality: 'quality',
  /** A step is being asked for. */
  Step: 'step',
  /** Finished: completed, or failed with a reason. */
  Done: 'done',
} as const;
export type TrackerPhase = (typeof TrackerPhase)[keyof typeof TrackerPhase];

/** The face at rest, measured while the quality gate holds; steps are relative to it. */
interface Baseline {
  yaw: number;
  pitch: number;
  /** Mean of both eyes' aspect ratios, open. */
  ear: number;
  /** Mouth width over eye span (see `mouthWidth`). */
  mouth: number;
  /** Resting smile and jawOpen scores: some faces smile at rest. */
  smile: number;
  jawOpen: number;
}

/** A step as it happened; frame numbers count from the run's first frame. */
export interface StepRecord {
  step: ChallengeStep;
  /** The frame closest to the baseline pose between the window's opening and the action. */
  restFrame: number;
  /** The frame where the action went furthest (largest rotation for turns and nods). */
  peakFrame: number;
  /** The frame back at neutral that completed the step. */
  doneFrame: number;
  /** `peakFrame`'s and `doneFrame`'s times (the frames' `t`). */
  peakT: number;
  doneT: number;
}

export interface RunState {
  phase: TrackerPhase;
  /** What to fix, while the quality gate fails or the face is lost. */
  guidance?: GuidanceCode;
  /** Index of the current step; the number of steps once done. */
  index: number;
  completed: boolean;
  /** Why the run failed (done and not completed), or why it is incomplete (see `finish`). */
  reason?: ReasonCode;
}

const GUIDANCE_REASON: Record<GuidanceCode, ReasonCode> = {
  [GuidanceCode.NoFace]: ReasonCode.NoFace,
  [GuidanceCode.MultipleFaces]: ReasonCode.MultipleFaces,
  [GuidanceCode.MoveCloser]: ReasonCode.FaceTooSmall,
  [GuidanceCode.MoveBack]: ReasonCode.FaceTooLarge,
  [GuidanceCode.CentreFace]: ReasonCode.FaceOffCentre,
  [GuidanceCode.LookStraight]: ReasonCode.NotFrontal,
  [GuidanceCode.MoreLight]: ReasonCode.TooDark,
};

type Action = ChallengeStep;

/** How far the head is turned or nodded from the baseline (degrees). */
export function rotation(s: { yaw: number; pitch: number }): number {
  return Math.max(Math.abs(s.yaw), Math.abs(s.pitch));
}

/** Signals of one face, relative to the baseline. */
interface Signals {
  yaw: number;
  pitch: number;
  eyesClosed: boolean;
  smile: boolean;
  mouthOpen: boolean;
  neutral: boolean;
}

/**
 * The challenge as a state machine over evidence frames, shared by the browser's tracker
 * (live prompts) and `evaluate` (the decision), so both read the same frames the same way.
 *
 * Quality gate: one face, big enough, centred, frontal, bright enough, for
 * `qualityHoldMs`; those frames give the baseline. Then each step in order: its action
 * must hold `actionMinMs` (a blink is a closed-then-open event instead), then the face
 * must come back to neutral, all within `stepTimeoutMs` of the previous step's end. Doing
 * a later step's action (other than a blink, which people do unprompted) before the
 * current one fails the run with `step-out-of-order`.
 */
export class ChallengeRun {
  readonly records: StepRecord[] = [];
  readonly #steps: readonly ChallengeStep[];
  #policy: LivenessPolicy;
  #size: FrameSize;
  #frame = -1;
  #phase: TrackerPhase = TrackerPhase.Quality;
  #reason: ReasonCode | undefined;
  // Quality gate.
  #goodSince: number | undefined;
  #goodFaces: EvidenceFace[] = [];
  #goodFrames: number[] = [];
  readonly #guidanceCounts = new Map<GuidanceCode, number>();
  #baseline: Baseline | undefined;
  #startFrame = -1;
  // Current step.
  #index = 0;
  #openedAt = 0;
  #acted: { peakFrame: number; peakT: number; peak: number } | undefined;
  #rest = { frame: -1, angle: Infinity };
  readonly #activeSince = new Map<Action, { t: number; peakFrame: number; peakT: number; peak: number }>();
  #closedSince: number | undefined;
  #lostSince: number | undefined;
  #crowdedSince: number | undefined;
  #lastT = 0;

  constructor(steps: readonly ChallengeStep[], policy: LivenessPolicy, size: FrameSize) {
    this.#steps = steps;
    this.#policy = policy;
    this.#size = size;
  }

  /** Frame numbers the baseline was measured on (the quality gate's frames); empty before. */
  get baselineFrames(): readonly number[] {
    return this.#baseline ? this.#goodFrames : [];
  }

  /** Frame number where the first step opened (-1 before). */
  get startFrame(): number {
    return this.#startFrame;
  }

  get state(): RunState {
    const state: RunState = { phase: this.#phase, index: this.#index, completed: this.#phase === TrackerPhase.Done && this.#reason === undefined };
    if (this.#reason) state.reason = this.#reason;
    return state;
  }

  /** Signals of a face against the baseline (once there is one). */
  signals(face: EvidenceFace): Signals | undefined {
    const base = this.#baseline;
    if (!base) return undefined;
    const p = this.#policy;
    const yaw = face.pose[0] - base.yaw;
    const pitch = face.pose[1] - base.pitch;
    const ear = (face.ear[0] + face.ear[1]) / 2;
    const eyesClosed = (face.blink[0] + face.blink[1]) / 2 >= p.blinkMinScore && ear <= base.ear * p.blinkEarRatio;
    const smile = face.smile >= p.smileMinScore && mouthWidth(pixelPoints(face, this.#size)) >= base.mouth * p.smileWidthGain;
    const mouthOpen = face.jawOpen >= p.mouthOpenMinScore && face.mar >= p.mouthOpenMinMar;
    // Neutral is the person's own resting face: a face that smiles at rest is neutral there.
    const neutral =
      Math.abs(yaw) <= p.neutralMaxDeg &&
      Math.abs(pitch) <= p.neutralMaxDeg &&
      face.smile <= Math.max(p.expressionNeutralMax, base.smile + p.expressionNeutralMargin) &&
      face.jawOpen <= Math.max(p.expressionNeutralMax, base.jawOpen + p.expressionNeutralMargin) &&
      !eyesClosed;
    return { yaw, pitch, eyesClosed, smile, mouthOpen, neutral };
  }

  /** Feeds the next frame; frames after the run is done are ignored. */
  push(frame: EvidenceFrame): RunState {
    if (this.#phase === TrackerPhase.Done) return this.state;
    this.#frame++;
    this.#lastT = frame.t;
    if (this.#phase === TrackerPhase.Quality) return this.#quality(frame);
    return this.#step(frame);
  }

  /**
   * The state at the end of the evidence: when steps are left, `reason` says why
   * (timed out, missing, or not back to neutral); in the quality phase, the most frequent
   * quality problem (or too few frames).
   */
  finish(): RunState {
    if (this.#phase === TrackerPhase.Quality) {
      let worst: GuidanceCode | undefined;
      for (const [code, count] of this.#guidanceCounts) if (!worst || count > this.#guidanceCounts.get(worst)!) worst = code;
      return { ...this.state, reason: worst ? GUIDANCE_REASON[worst] : ReasonCode.TooFewFrames };
    }
    if (this.#phase === TrackerPhase.Step) {
      if (this.#lastT - this.#openedAt > this.#policy.stepTimeoutMs) return { ...this.state, reason: this.#timeoutReason() };
      return { ...this.state, reason: this.#acted ? ReasonCode.NoReturnToNeutral : ReasonCode.StepMissing };
    }
    return this.state;
  }

  /** What is wrong with a frame for the quality gate, if anything. */
  #guidance(frame: EvidenceFrame): GuidanceCode | undefined {
    const p = this.#policy;
    const face = frame.face;
    if (frame.faces === 0 || !face) return GuidanceCode.NoFace;
    if (frame.faces > 1) return GuidanceCode.MultipleFaces;
    if (frame.luma !== undefined && frame.luma < p.minLuma) return GuidanceCode.MoreLight;
    const size = faceSize(face, this.#size);
    if (size < p.minFaceSize) return GuidanceCode.MoveCloser;
    if (size > p.maxFaceSize) return GuidanceCode.MoveBack;
    const [x, y, w, h] = face.box;
    if (Math.abs(x + w / 2 - 0.5) > p.maxCentreOffset || Math.abs(y + h / 2 - 0.5) > p.maxCentreOffset) return GuidanceCode.CentreFace;
    if (Math.abs(face.pose[0]) > p.frontalMaxDeg || Math.abs(face.pose[1]) > p.frontalMaxDeg) return GuidanceCode.LookStraight;
    return undefined;
  }

  #quality(frame: EvidenceFrame): RunState {
    const guidance = this.#guidance(frame);
    if (guidance || !frame.face) {
      const code = guidance ?? GuidanceCode.NoFace;
      this.#guidanceCounts.set(code, (this.#guidanceCounts.get(code) ?? 0) + 1);
      this.#goodSince = undefined;
      this.#goodFaces = [];
      this.#goodFrames = [];
      return { ...this.state, guidance: code };
    }
    this.#goodSince ??= frame.t;
    this.#goodFaces.push(frame.face);
    this.#goodFrames.push(this.#frame);
    if (frame.t - this.#goodSince >= this.#policy.qualityHoldMs) {
      const faces = this.#goodFaces;
      this.#baseline = {
        yaw: median(faces.map((f) => f.pose[0])),
        pitch: median(faces.map((f) => f.pose[1])),
        ear: median(faces.map((f) => (f.ear[0] + f.ear[1]) / 2)),
        mouth: median(faces.map((f) => mouthWidth(pixelPoints(f, this.#size)))),
        smile: median(faces.map((f) => f.smile)),
        jawOpen: median(faces.map((f) => f.jawOpen)),
      };
      this.#phase = TrackerPhase.Step;
      this.#startFrame = this.#frame;
      this.#openedAt = frame.t;
      this.#rest = { frame: this.#frame, angle: Infinity };
    }
    return this.state;
  }

  #step(frame: EvidenceFrame): RunState {
    const p = this.#policy;
    const t = frame.t;
    if (t - this.#openedAt > p.stepTimeoutMs) return this.#fail(this.#timeoutReason());
    if (frame.faces === 0 || !frame.face) {
      this.#lostSince ??= t;
      if (t - this.#lostSince > p.maxFaceLostMs) return this.#fail(ReasonCode.NoFace);
      return { ...this.state, guidance: GuidanceCode.NoFace };
    }
    this.#lostSince = undefined;
    let guidance: GuidanceCode | undefined;
    if (frame.faces > 1) {
      this.#crowdedSince ??= t;
      if (t - this.#crowdedSince > p.maxMultipleFacesMs) return this.#fail(ReasonCode.MultipleFaces);
      guidance = GuidanceCode.MultipleFaces;
    } else {
      this.#crowdedSince = undefined;
    }
    const s = this.signals(frame.face)!;
    const step = this.#steps[this.#index]!;
    const done = this.#advance(step, s, t);
    const state = done ?? this.state;
    return guidance && state.phase !== TrackerPhase.Done ? { ...state, guidance } : state;
  }

  /** One frame of the current step; returns a state only when the run ends here. */
  #advance(step: ChallengeStep, s: Signals, t: number): RunState | undefined {
    const p = this.#policy;
    const blinked = this.#blink(s, t);
    if (this.#acted) {
      const magnitude = this.#magnitude(step, s);
      if (magnitude > this.#acted.peak) this.#acted = { peak: magnitude, peakFrame: this.#frame, peakT: t };
      if (!s.neutral) return undefined;
      const { peakFrame, peakT } = this.#acted;
      this.records.push({ step, restFrame: this.#rest.frame, peakFrame, doneFrame: this.#frame, peakT, doneT: t });
      this.#index++;
      this.#openedAt = t;
      this.#acted = undefined;
      this.#activeSince.clear();
      this.#rest = { frame: this.#frame, angle: rotation(s) };
      if (this.#index === this.#steps.length) {
        this.#phase = TrackerPhase.Done;
        return this.state;
      }
      return undefined;
    }
    // Parallax is measured from here to the peak: the more frontal, the more rotation between.
    if (rotation(s) <= this.#rest.angle) this.#rest = { frame: this.#frame, angle: rotation(s) };
    const active = this.#track(s, t);
    const held = (action: Action) => active.has(action) && active.get(action)! >= p.actionMinMs;
    const current = step === 'blink' ? blinked : held(step);
    if (current) {
      const run = this.#activeSince.get(step);
      this.#acted = { peakFrame: run?.peakFrame ?? this.#frame, peakT: run?.peakT ?? t, peak: run?.peak ?? 1 };
      // A blink ends with the eyes open: it may already be back to neutral on this frame.
      return step === 'blink' ? this.#advance(step, s, t) : undefined;
    }
    // Doing the current action can look like another (a wide smile opens the mouth): only
    // a later step done on its own counts as out of order.
    if (!active.has(step)) {
      for (const later of this.#steps.slice(this.#index + 1)) {
        if (later !== step && later !== 'blink' && held(later)) return this.#fail(ReasonCode.StepOutOfOrder);
      }
    }
    return undefined;
  }

  /** Updates how long each held action has been active; returns the active ones' durations. */
  #track(s: Signals, t: number): Map<Action, number> {
    const p = this.#policy;
    const turning = Math.abs(s.yaw) >= p.turnMinDeg;
    const now: Record<Exclude<Action, 'blink'>, boolean> = {
      'turn-left': s.yaw >= p.turnMinDeg,
      'turn-right': s.yaw <= -p.turnMinDeg,
      nod: Math.abs(s.pitch) >= p.nodMinDeg && !turning,
      smile: s.smile,
      'open-mouth': s.mouthOpen,
    };
    const durations = new Map<Action, number>();
    for (const [action, on] of Object.entries(now) as [Exclude<Action, 'blink'>, boolean][]) {
      if (!on) {
        this.#activeSince.delete(action);
        continue;
      }
      const magnitude = this.#magnitude(action, s);
      const run = this.#activeSince.get(action);
      if (!run) this.#activeSince.set(action, { t, peakFrame: this.#frame, peakT: t, peak: magnitude });
      else if (magnitude > run.peak) this.#activeSince.set(action, { ...run, peakFrame: this.#frame, peakT: t, peak: magnitude });
      durations.set(action, t - (run?.t ?? t));
    }
    return durations;
  }

  /** True on the frame the eyes reopen after a closure short enough to be a blink. */
  #blink(s: Signals, t: number): boolean {
    if (s.eyesClosed) {
      this.#closedSince ??= t;
      return false;
    }
    const since = this.#closedSince;
    this.#closedSince = undefined;
    return since !== undefined && t - since <= this.#policy.blinkMaxMs;
  }

  #magnitude(step: ChallengeStep, s: Signals): number {
    if (step === 'turn-left' || step === 'turn-right') return Math.abs(s.yaw);
    if (step === 'nod') return Math.abs(s.pitch);
    return 1;
  }

  #timeoutReason(): ReasonCode {
    return this.#acted ? ReasonCode.NoReturnToNeutral : ReasonCode.StepTimeout;
  }

  #fail(reason: ReasonCode): RunState {
    this.#phase = TrackerPhase.Done;
    this.#reason = reason;
    return this.state;
  }
}
