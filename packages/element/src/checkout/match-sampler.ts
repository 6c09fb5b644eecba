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
import type { TrackerMatchSample } from '@facepay/liveness';
import { KEPT_CROPS_MAX } from '@facepay/vision';

/** A face crop the vision worker kept for a later embedding, and when its frame was taken. */
export interface MatchCandidate {
  id: number;
  epochMs: number;
}

interface Kept extends MatchCandidate {
  /** Its own frame was frontal, open-eyed, one face (the request was judged on the one before). */
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
 * only keeps aligned crops of frontal, open-eyed, single-face frames (a draw, not an
 * embedding, so no blink is missed while the worker is busy); when the steps are done the
 * element picks a few spread over the whole session (a face swapped in mid-session is
 * sampled too) and has the worker embed just those.
 */
export class MatchSampler {
  readonly request: MatchRequest;
  readonly #interval: number;
  readonly #maxAngle: number;
  readonly #maxBlink: number;
  #lastAsked = -Infinity;
  /** Every crop the worker kept, evicted as the worker does, so a pick is never already gone. */
  #kept: Kept[] = [];
  /** When each challenge step was seen done (epoch ms of the frame that completed it). */
  #stepEnds: number[] = [];

  constructor(request: MatchRequest, options: MatchSamplerOptions = {}) {
    this.request = request;
    this.#interval = options.intervalMs ?? 200;
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

  /** Notes a crop the worker kept (`keptId`), and whether its own frame is usable. */
  note(observation: Observation, keptId: number | undefined, epochMs: number): void {
    if (keptId === undefined) return;
    this.#kept.push({ id: keptId, epochMs, usable: this.#usable(observation) });
    if (this.#kept.length > KEPT_CROPS_MAX) this.#kept.splice(1, 1);
  }

  /** Notes that a challenge step was completed by the frame taken at `epochMs`. */
  stepDone(epochMs: number): void {
    this.#stepEnds.push(epochMs);
  }

  /**
   * The samples to send, in time order, from candidates whose frames are in the evidence
   * (`recorded`): the first one, then for every step the last one before the step was done
   * (whoever did each action is compared, so a face that stepped in for one action and left
   * again is caught), then more spread over the session, up to `request.samples` (at least)
   * and MATCH_MAX_SAMPLES (at most).
   */
  pick(recorded: (epochMs: number) => boolean): MatchCandidate[] {
    const usable = this.#kept.filter((c) => c.usable && recorded(c.epochMs)).map(({ id, epochMs }) => ({ id, epochMs }));
    if (usable.length === 0) return [];
    const limit = Math.max(this.request.samples, Math.min(MATCH_MAX_SAMPLES, this.#stepEnds.length + 1));
    const chosen = new Set<number>([0]);
    let from = -Infinity;
    for (const end of this.#stepEnds) {
      let last = -1;
      usable.forEach((c, i) => {
        if (c.epochMs > from && c.epochMs <= end) last = i;
      });
      if (last >= 0 && chosen.size < limit) chosen.add(last);
      from = end;
    }
    // Fill with the candidates farthest in time from those chosen, the latest first.
    while (chosen.size < Math.min(limit, usable.length)) {
      let best = -1;
      let bestGap = -1;
      for (let i = usable.length - 1; i >= 0; i--) {
        if (chosen.has(i)) continue;
        const gap = Math.min(...[...chosen].map((j) => Math.abs(usable[i]!.epochMs - usable[j]!.epochMs)));
        if (gap > bestGap) {
          best = i;
          bestGap = gap;
        }
      }
      chosen.add(best);
    }
    return [...chosen].sort((a, b) => a - b).map((i) => usable[i]!);
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
