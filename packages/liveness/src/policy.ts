/**
 * Every threshold of the engine, in one object. The server and the browser must use the
 * same policy for their decisions to agree; the server's is the one that counts.
 * Angles in degrees, times in ms, sizes relative to the frame or the face as noted.
 */
export interface LivenessPolicy {
  // Quality gate: the challenge starts once the face is usable for `qualityHoldMs`.

  /** How long the face must be usable and frontal before the first step (ms); these frames are the baseline. */
  qualityHoldMs: number;
  /** Smallest face: its larger side over the frame's shorter side. */
  minFaceSize: number;
  /** Largest face, same measure. */
  maxFaceSize: number;
  /** Largest distance of the face box centre from the frame centre, per axis (normalised). */
  maxCentreOffset: number;
  /** Largest |yaw| and |pitch| of a frontal face (absolute, before any baseline). */
  frontalMaxDeg: number;
  /** Darkest usable frame (mean luma 0..255), when the page reports luma. */
  minLuma: number;

  // During the challenge.

  /** A step must be done, face back to neutral, within this long after the previous one (ms). */
  stepTimeoutMs: number;
  /** Longest run without a face during the challenge before it fails (ms). */
  maxFaceLostMs: number;
  /** Longest run with a second face during the challenge before it fails (ms). */
  maxMultipleFacesMs: number;
  /** Yaw away from the neutral baseline that counts as a turn. */
  turnMinDeg: number;
  /** Pitch away from the neutral baseline (chin down or up) that counts as a nod. */
  nodMinDeg: number;
  /** Yaw and pitch within this of the baseline count as back to neutral. */
  neutralMaxDeg: number;
  /** An action must hold at least this long to count (ms); one noisy frame does not. */
  actionMinMs: number;
  /** Both eyes' blink blendshapes at or above this count as closed... */
  blinkMinScore: number;
  /** ...and only when the eye aspect ratio also fell to this fraction of its baseline. */
  blinkEarRatio: number;
  /** Longest closed-eye run that is still a blink (ms). */
  blinkMaxMs: number;
  /** Smile blendshape at or above this counts as a smile... */
  smileMinScore: number;
  /** ...and only when the mouth also widened by this factor over its baseline (landmarks). */
  smileWidthGain: number;
  /** `jawOpen` at or above this counts as an open mouth... */
  mouthOpenMinScore: number;
  /** ...and only when the mouth aspect ratio (landmarks) is at least this. */
  mouthOpenMinMar: number;
  /** Smile and jawOpen at or below this count as a neutral expression. */
  expressionNeutralMax: number;
  /** ...as do scores up to this much above the person's resting face (a face smiling at rest). */
  expressionNeutralMargin: number;

  // Passive checks.

  /** Smallest homography residual (over the eye span) a real head shows when it turns. */
  planarityMinResidual: number;
  /** Smallest rotation (from baseline) that can show parallax, when no turn or nod step gives one. */
  planarityMinDeg: number;
  /**
   * Largest change of the face's rigid proportions from the baseline's, both put head-on
   * (pose and a generic face's depth): RMS over the normalised vertical coordinates while
   * the head is turned more than nodded, the horizontal ones otherwise.
   */
  identityMaxDeviation: number;
  /** Identity is compared only while |yaw| and |pitch| (from baseline) stay within this; the head-on correction errs more beyond. */
  identityMaxDeg: number;
  /** Identity deviation is the median over this many consecutive frames (one glitch is not a swap). */
  identityWindow: number;
  /** Frames per second the evidence must have at least... */
  minFps: number;
  /** ...and at most. */
  maxFps: number;
  /** Largest gap between two frames (ms). */
  maxFrameGapMs: number;
  /** Largest fraction of frames identical to the previous one. */
  maxFrozenRatio: number;
  /** Head speed is measured over at least this span (ms), smoothing single-frame pose noise. */
  speedWindowMs: number;
  /** Fastest head rotation a person makes (degrees per second). */
  maxAngularSpeed: number;
  /** Least median landmark motion between still frames (over the eye span) a live camera shows. */
  minMicroMotion: number;
  /** Case-insensitive regular expressions (sources) of virtual camera names. */
  virtualCameraPatterns: string[];
  /**
   * Highest median screen (moiré) score of a real face: log10 of the strongest periodic
   * peak in the face's spectrum over its background (see `@facepay/vision`'s `moireScore`).
   */
  screenMaxScore: number;
  /** Fewer frames with a measured screen score than this leave the screen check unjudged (passed, value 0). */
  screenMinFrames: number;

  // The verdict.

  /**
   * What a failed check costs: the score starts at 1 and loses the weight of each failed
   * check. 1 makes a check decisive on its own; 0 reports it without counting it.
   * `noParallax` applies when no rotation could be measured at all.
   */
  weights: Record<
    'planarity' | 'noParallax' | 'identity' | 'timestamps' | 'frameRate' | 'frozenFrames' | 'speed' | 'microMotion' | 'camera' | 'screen',
    number
  >;
  /** A completed challenge is live at or above this score... */
  minLiveScore: number;
  /** ...and spoof below this one (whatever the challenge did); inconclusive in between. */
  maxSpoofScore: number;
  /** The tracker records no frame closer than this to the previous one (ms), bounding the evidence. */
  minFrameIntervalMs: number;
}

export const DEFAULT_POLICY: LivenessPolicy = {
  qualityHoldMs: 600,
  minFaceSize: 0.25,
  maxFaceSize: 0.9,
  maxCentreOffset: 0.15,
  frontalMaxDeg: 15,
  minLuma: 40,

  stepTimeoutMs: 5000,
  maxFaceLostMs: 1000,
  maxMultipleFacesMs: 300,
  turnMinDeg: 20,
  nodMinDeg: 12,
  neutralMaxDeg: 10,
  actionMinMs: 60,
  blinkMinScore: 0.5,
  blinkEarRatio: 0.7,
  blinkMaxMs: 800,
  smileMinScore: 0.5,
  smileWidthGain: 1.08,
  mouthOpenMinScore: 0.4,
  mouthOpenMinMar: 0.25,
  expressionNeutralMax: 0.3,
  expressionNeutralMargin: 0.15,

  planarityMinResidual: 0.03,
  planarityMinDeg: 12,
  identityMaxDeviation: 0.07,
  identityMaxDeg: 20,
  identityWindow: 5,
  minFps: 8,
  maxFps: 90,
  maxFrameGapMs: 1000,
  maxFrozenRatio: 0.1,
  speedWindowMs: 100,
  maxAngularSpeed: 600,
  minMicroMotion: 0.0015,
  virtualCameraPatterns: ['\\bobs\\b', 'manycam', 'v4l2loopback', 'virtual', 'snap camera', 'xsplit', 'camtwist', 'splitcam', 'e2esoft', 'vcam'],
  screenMaxScore: 1.7,
  screenMinFrames: 5,

  weights: {
    planarity: 1,
    noParallax: 0.25,
    identity: 1,
    timestamps: 1,
    frozenFrames: 1,
    speed: 0.5,
    microMotion: 0.5,
    frameRate: 0.3,
    camera: 0.25,
    screen: 1,
  },
  minLiveScore: 0.7,
  maxSpoofScore: 0.4,
  minFrameIntervalMs: 25,
};

/** Changes to the default policy; `weights` may name only the weights it changes. */
export type PolicyOverrides = Partial<Omit<LivenessPolicy, 'weights'>> & { weights?: Partial<LivenessPolicy['weights']> };

/** The default policy with `overrides` applied (`weights` merged key by key). */
export function resolvePolicy(overrides: PolicyOverrides = {}): LivenessPolicy {
  return { ...DEFAULT_POLICY, ...overrides, weights: { ...DEFAULT_POLICY.weights, ...overrides.weights } };
}
