import type { Challenge, ChallengeStep, EvidenceCamera } from '@facepay/protocol';
import type { PolicyOverrides } from '../policy.js';
import { LivenessTracker, type TrackerUpdate } from '../tracker.js';
import { act, generateScene, still, type SceneFrame, type SceneOptions, type Segment } from './synthetic-face.js';

export const TEST_CAMERA: EvidenceCamera = {
  label: 'Integrated Camera (04f2:b6dd)',
  width: 640,
  height: 480,
  frameRate: 30,
  settings: { width: 640, height: 480, frameRate: 30, aspectRatio: 4 / 3, facingMode: 'user' },
};

/** A shopper doing `steps` in order: settle, then each action with a pause after it. */
export function liveScript(steps: readonly ChallengeStep[], options: { settleMs?: number; pauseMs?: number } = {}): Segment[] {
  return [still(options.settleMs ?? 1000), ...steps.flatMap((step) => [act(step), still(options.pauseMs ?? 500)])];
}

export interface RecordOptions {
  policy?: PolicyOverrides;
  camera?: EvidenceCamera;
  luma?: number;
}

/** Feeds scene frames to a tracker, as the element does with the worker's observations. */
export function record(frames: readonly SceneFrame[], challenge: Challenge, options: RecordOptions = {}) {
  const tracker = new LivenessTracker({ challenge, sessionId: 'sess_test', camera: options.camera ?? TEST_CAMERA, ...(options.policy ? { policy: options.policy } : {}) });
  const updates: TrackerUpdate[] = frames.map((f) => tracker.push(f.observation, f.epochMs, options.luma));
  return { tracker, updates, evidence: tracker.evidence(), evaluation: tracker.evaluate() };
}

/** Generates a scene for `steps` (by default a live shopper doing them) and records it. */
export function session(steps: ChallengeStep[], scene: Partial<SceneOptions> = {}, options: RecordOptions = {}) {
  const frames = generateScene({ script: liveScript(steps), ...scene });
  return { frames, ...record(frames, { nonce: 'nonce-test', steps }, options) };
}
