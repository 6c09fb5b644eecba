import { CHALLENGE_STEPS, type ChallengeStep } from '@facepay/protocol';

export interface ChallengeOptions {
  /** Steps to draw from (default: all). Leave out `smile` and `open-mouth` for accessibility. */
  pool?: ChallengeStep[];
  /** Number of steps (default: 2 or 3, drawn from the nonce). */
  length?: number;
}

/** Head rotations: the parallax check needs at least one of them in every challenge. */
const POSE_STEPS: readonly ChallengeStep[] = ['turn-left', 'turn-right', 'nod'];

/**
 * The steps for a nonce: deterministic, so the server and the browser agree without sending
 * the steps around, and unpredictable without the nonce. No step follows itself, and when
 * the pool has a head rotation the challenge contains one.
 */
export function createChallenge(nonce: string, options: ChallengeOptions = {}): ChallengeStep[] {
  if (typeof nonce !== 'string' || nonce.length === 0) throw new TypeError('createChallenge needs a non-empty nonce');
  const pool = [...new Set(options.pool ?? CHALLENGE_STEPS)];
  for (const step of pool) {
    if (!(CHALLENGE_STEPS as readonly string[]).includes(step)) throw new TypeError(`Unknown challenge step: ${String(step)}`);
  }
  const random = seededRandom(nonce);
  const length = options.length ?? 2 + Math.floor(random() * 2);
  if (!Number.isInteger(length) || length < 1 || length > CHALLENGE_STEPS.length) {
    throw new TypeError(`Challenge length must be an integer from 1 to ${CHALLENGE_STEPS.length}, got ${length}`);
  }
  if (pool.length === 0 || (length > 1 && pool.length < 2)) {
    throw new TypeError('The pool needs at least two distinct steps (one for a single-step challenge)');
  }
  const poses = pool.filter((step) => POSE_STEPS.includes(step));
  // Where the head rotation goes, unless an earlier draw already brought one.
  const poseAt = poses.length > 0 ? Math.floor(random() * length) : -1;
  const steps: ChallengeStep[] = [];
  for (let i = 0; i < length; i++) {
    const needPose = i === poseAt && !steps.some((step) => POSE_STEPS.includes(step));
    const choices = (needPose ? poses : pool).filter((step) => step !== steps[i - 1]);
    steps.push(choices[Math.floor(random() * choices.length)]!);
  }
  return steps;
}

/** FNV-1a over the nonce's UTF-16 units, then splitmix32: identical in every JS engine. */
function seededRandom(seed: string): () => number {
  let state = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    state ^= seed.charCodeAt(i);
    state = Math.imul(state, 0x01000193);
  }
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    z ^= z >>> 15;
    return (z >>> 0) / 4294967296;
  };
}
