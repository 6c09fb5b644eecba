import type { Challenge, ChallengeStep, Evaluation, Evidence, EvidenceCamera, EvidenceFrame, GuidanceCode, Observation } from '@facepay/protocol';
import { EVIDENCE_VERSION } from '@facepay/protocol';
import { evaluate } from './evaluate.js';
import { toEvidenceFrame } from './features.js';
import { resolvePolicy, type LivenessPolicy } from './policy.js';

export const TrackerPhase = {
  /** Waiting for one usable, frontal face; `guidance` says what to fix. */
  Quality: 'quality',
  /** A step is being asked for: `step` at `index` of `total`. */
  Step: 'step',
  /** Finished: `completed` tells whether every step was done. */
  Done: 'done',
} as const;
export type TrackerPhase = (typeof TrackerPhase)[keyof typeof TrackerPhase];

export interface TrackerUpdate {
  phase: TrackerPhase;
  guidance?: GuidanceCode;
  step?: ChallengeStep;
  index: number;
  total: number;
  completed: boolean;
}

export interface LivenessTrackerOptions {
  challenge: Challenge;
  policy?: Partial<LivenessPolicy>;
  sessionId: string;
  camera: EvidenceCamera;
}

/**
 * The browser side: fed the worker's observations, it runs the same step logic as
 * `evaluate` for instant prompts, and records the evidence the server re-decides on.
 */
export class LivenessTracker {
  readonly #challenge: Challenge;
  readonly #policy: LivenessPolicy;
  readonly #sessionId: string;
  readonly #camera: EvidenceCamera;
  #startedAt: number | undefined;
  readonly #frames: EvidenceFrame[] = [];

  constructor(options: LivenessTrackerOptions) {
    this.#challenge = options.challenge;
    this.#policy = resolvePolicy(options.policy);
    this.#sessionId = options.sessionId;
    this.#camera = options.camera;
  }

  /** Feeds one observation; `epochMs` is the frame's wall-clock time, `luma` its brightness. */
  push(observation: Observation, epochMs: number, luma?: number): TrackerUpdate {
    this.#startedAt ??= Math.round(epochMs);
    this.#frames.push(toEvidenceFrame(observation, Math.round(epochMs) - this.#startedAt, luma));
    return { phase: TrackerPhase.Quality, index: 0, total: this.#challenge.steps.length, completed: false };
  }

  evidence(): Evidence {
    return {
      version: EVIDENCE_VERSION,
      sessionId: this.#sessionId,
      nonce: this.#challenge.nonce,
      steps: [...this.#challenge.steps],
      startedAt: this.#startedAt ?? 0,
      frames: [...this.#frames],
      camera: this.#camera,
      droppedFrames: 0,
    };
  }

  evaluate(): Evaluation {
    return evaluate(this.evidence(), this.#challenge, this.#policy);
  }
}
