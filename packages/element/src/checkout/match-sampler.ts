import { MatchAssurance, blendshapeIndex, encodeTemplate, type MatchRequest, type Observation } from '@facepay/protocol';
import type { TrackerMatchSample } from '@facepay/liveness';

/** What the vision worker returns with an observation when a face sample was asked for. */
export interface WorkerMatch {
  template: Float32Array;
  /** The aligned crop as JPEG bytes (`frames` mode). */
  crop?: Uint8Array;
}

export interface MatchSamplerOptions {
  /** Least time between two samples (ms): embedding costs the worker a frame or two. */
  intervalMs?: number;
  /** Largest |yaw| and |pitch| (degrees) of a frame worth sampling. */
  maxAngle?: number;
  /** Largest eye-blink score of a frame worth sampling (closed eyes recognise badly). */
  maxBlink?: number;
}

const BLINK_LEFT = blendshapeIndex('eyeBlinkLeft');
const BLINK_RIGHT = blendshapeIndex('eyeBlinkRight');

/**
 * Decides which frames carry a face sample for enrolment or a 1:1 match: frontal, eyes
 * open, one face, spaced out over the session (the tracker keeps the first and the
 * latest, so a face swapped in mid-session is sampled too).
 */
export class MatchSampler {
  readonly request: MatchRequest;
  readonly #interval: number;
  readonly #maxAngle: number;
  readonly #maxBlink: number;
  #lastAsked = -Infinity;

  constructor(request: MatchRequest, options: MatchSamplerOptions = {}) {
    this.request = request;
    this.#interval = options.intervalMs ?? 600;
    this.#maxAngle = options.maxAngle ?? 12;
    this.#maxBlink = options.maxBlink ?? 0.4;
  }

  /** Whether crops travel with the templates (`frames` assurance). */
  get withCrops(): boolean {
    return this.request.assurance === MatchAssurance.Frames;
  }

  /**
   * Whether the next frame should be embedded, judged on the latest observation (the next
   * frame is a few tens of milliseconds later and usually looks the same).
   */
  wants(nowMs: number, latest: Observation | undefined): boolean {
    if (nowMs - this.#lastAsked < this.#interval) return false;
    if (!latest || !this.#usable(latest)) return false;
    this.#lastAsked = nowMs;
    return true;
  }

  /** The sample to keep from a worker result, or undefined when its own frame is not usable. */
  accept(observation: Observation, match: WorkerMatch | undefined): TrackerMatchSample | undefined {
    if (!match || !this.#usable(observation)) return undefined;
    if (this.withCrops && !match.crop) return undefined;
    return {
      template: encodeTemplate(match.template),
      ...(this.withCrops && match.crop ? { crop: toBase64(match.crop) } : {}),
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

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
