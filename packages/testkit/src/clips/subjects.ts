import { join } from 'node:path';
import { FACES } from '../paths.js';

/** The people of the test clips: portraits in `../shared/faces/`. */
export const SUBJECTS = {
  grace: { file: 'grace_hopper.jpg', description: 'Grace Hopper: glasses, cap, neutral mouth' },
  xmorph: { file: 'xmorph-ad-1.png', description: 'a smiling bearded man (small, upscaled)' },
} as const;
export type SubjectId = keyof typeof SUBJECTS;

/** Face width in the frame, in pixels: a shopper at arm's length from a laptop camera. */
export const FACE_WIDTH = 200;

/** Path of a subject's portrait, for tests that compare faces. */
export function subjectPortrait(id: SubjectId): string {
  return join(FACES, SUBJECTS[id].file);
}
