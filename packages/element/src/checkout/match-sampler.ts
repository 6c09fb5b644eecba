import {
  MATCH_MAX_SAMPLES,
  MATCH_SAMPLE_MAX_POSE_DEG,
  MatchAssurance,
  blendshapeIndex,
  encodeBase64,
  encodeTemplate,
  type MatchRequest,
  type Observation,
} from '@facepay/protocol';
import { pickSamples, stepSample, type LivenessTracker, type SampleStep, type TrackerMatchSample } from '@facepay/liveness';
import type { ProcessOptions } from '@facepay/vision';

/** A face crop the vision worker kept for a later embedding, and when its frame was taken. */
export interface MatchCandidate {
  id: number;
  epochMs: number;
}

interface Kept extends MatchCandidate {
  /**
   * Its own frame was within the pose limit, open-eyed, one face, and recorded (the request
   * was judged on the frame before).
   */
  usable: boolean;
}

/** What the vision worker returns for an embedded crop. */
export interface EmbeddedCrop {
  template: Float32Array;
  /** The aligned crop as JPEG bytes (`frames` mode). */
  crop?: Uint8Array;
}

export interface MatchSamplerOptions {
  /** Least time between two kept crops (ms). */
  intervalMs?: number;
  /** Largest |yaw| and |pitch| (degrees) of a frame worth keeping: the server's limit. */
  maxAngle?: number;
  /** Largest eye-blink score of a frame worth keeping (closed eyes recognise badly). */
  maxBlink?: number;
}

const BLINK_LEFT = blendshapeIndex('eyeBlinkLeft');
const BLINK_RIGHT = blendshapeIndex('eyeBlinkRight');

/**
 * Chooses the face samples of an enrolment or a 1:1 match. During the check the worker
 * keeps an aligned crop of nearly every usable frame (single face, within the pose limit,
 * eyes open; one draw, not an embedding, so no blink is missed while the worker is busy),
 * evicting the oldest. When a step is done, the crop nearest its peak is pinned; when all
 * are done the element picks the first crop, one from each step's stretch and more spread
 * over the session, and has the worker embed just those. So whoever did each action is
 * compared: a face swapped in for a step is sampled.
 */
export class MatchSampler {
  readonly request: MatchRequest;
  readonly #interval: number;
  readonly #maxAngle: number;
  readonly #maxBlink: number;
  #lastAsked = -Infinity;
  /** The crops the worker holds (it reports each eviction), in time order. */
  #kept: Kept[] = [];
  /** Completed steps' peaks and completions (epoch ms). */
  #steps: SampleStep[] = [];
  /** Crops chosen for a step, to pin in the worker with the next frame. */
  #toPin: number[] = [];

  constructor(request: MatchRequest, options: MatchSamplerOptions = {}) {
    this.request = request;
    this.#interval = options.intervalMs ?? 100;
    this.#maxAngle = options.maxAngle ?? MATCH_SAMPLE_MAX_POSE_DEG;
    this.#maxBlink = options.maxBlink ?? 0.4;
  }

  /** Whether crops travel with the templates (`frames` assurance). */
  get withCrops(): boolean {
    return this.request.assurance === MatchAssurance.Frames;
  }

  /**
   * Whether the worker should keep the next frame's crop, judged on the latest observation
   * (the next frame is a few tens of milliseconds later and usually looks the same).
   */
  wants(nowMs: number, latest: Observation | undefined): boolean {
    if (nowMs - this.#lastAsked < this.#interval) return false;
    if (!latest || !this.#usable(latest)) return false;
    this.#lastAsked = nowMs;
    return true;
  }

  /** What to ask of the worker with the next frame: keep its crop (`wants`), pin crops chosen for steps. */
  processOptions(nowMs: number, latest: Observation | undefined): ProcessOptions | undefined {
    const keep = this.wants(nowMs, latest);
    const pin = this.#toPin;
    this.#toPin = [];
    if (!keep && pin.length === 0) return undefined;
    return { ...(keep && { keep: true }), ...(pin.length > 0 && { pin }) };
  }

  /**
   * Notes the worker's answer for a frame: the crop it kept (and the one it evicted to make
   * room), and whether the frame itself is usable and in the evidence (`recorded`).
   */
  note(observation: Observation, kept: { id: number; evicted?: number } | undefined, epochMs: number, recorded = true): void {
    if (!kept) return;
    if (kept.evicted !== undefined) this.#kept = this.#kept.filter((c) => c.id !== kept.evicted);
    this.#kept.push({ id: kept.id, epochMs, usable: recorded && this.#usable(observation) });
  }

  /**
   * Notes the steps completed so far (peak and completion, epoch ms, from the tracker); for
   * each new one, the crop that will sample it is pinned so the worker keeps it to the end.
   */
  steps(steps: readonly { peakEpochMs: number; doneEpochMs: number }[]): void {
    for (const step of steps.slice(this.#steps.length)) {
      const next = { peak: step.peakEpochMs, done: step.doneEpochMs };
      this.#steps.push(next);
      const usable = this.#kept.filter((c) => c.usable);
      const i = stepSample(usable.map((c) => c.epochMs), next);
      if (i >= 0) this.#toPin.push(usable[i]!.id);
    }
  }

  /**
   * The samples to send, in time order, from candidates whose frames are in the evidence
   * (`recorded`): the first one, one from every step's stretch (whoever did each action is
   * compared, so a face that stepped in for one action is caught), then more spread over the
   * session (`pickSamples`, the rules the server checks).
   */
  pick(recorded: (epochMs: number) => boolean): MatchCandidate[] {
    const usable = this.#kept.filter((c) => c.usable && recorded(c.epochMs)).map(({ id, epochMs }) => ({ id, epochMs }));
    return pickSamples(usable.map((c) => c.epochMs), this.#steps, this.request.samples).map((i) => usable[i]!);
  }

  /**
   * Adds the embedded picks to the evidence, each bound to its frame's time. All of them: a
   * three-step challenge sends four (the first and one per step), more than
   * `request.samples`, and dropping one would leave a step unsampled (`face-missing`). A crop
   * the worker no longer had is simply not sent.
   */
  addTo(tracker: Pick<LivenessTracker, 'addMatchSample'>, picked: readonly MatchCandidate[], matches: readonly (EmbeddedCrop & { id: number })[]): void {
    const when = new Map(picked.map((c) => [c.id, c.epochMs]));
    for (const match of matches) {
      const epochMs = when.get(match.id);
      if (epochMs !== undefined) tracker.addMatchSample(epochMs, this.toSample(match), MATCH_MAX_SAMPLES);
    }
  }

  /** The evidence's form of an embedded crop. */
  toSample(embedded: EmbeddedCrop): TrackerMatchSample {
    return {
      template: encodeTemplate(embedded.template),
      ...(this.withCrops && embedded.crop ? { crop: encodeBase64(embedded.crop) } : {}),
    };
  }

  #usable(observation: Observation): boolean {
    if (observation.faces.length !== 1) return false;
    const face = observation.faces[0]!;
    if (Math.abs(face.pose.yaw) > this.#maxAngle || Math.abs(face.pose.pitch) > this.#maxAngle) return false;
    const blink = Math.max(face.blendshapes[BLINK_LEFT] ?? 0, face.blendshapes[BLINK_RIGHT] ?? 0);
    return blink <= this.#maxBlink;
  }
}
