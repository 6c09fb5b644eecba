import { describe, expect, it } from 'vitest';
import { CROP_CONSISTENCY_THRESHOLD, MATCH_THRESHOLD } from '@facepay/face';
import { FACE_TEMPLATE_DIMS, MatchAssurance, type Evidence, type EvidenceFrame } from '@facepay/protocol';
import type { CropEmbedder } from './embedder.js';
import { decideMatch, matchEndsSession } from './face-match.js';
import type { DecodedSample } from './samples.js';

// The match logic on synthetic unit vectors: cos(a, b) is what the test sets it to.

/** A unit vector at angle acos(`cos`) from basis vector 0, towards basis vector `towards`. */
function vector(cos: number, towards = 1): Float32Array {
  const v = new Float32Array(FACE_TEMPLATE_DIMS);
  v[0] = cos;
  v[towards] = Math.sqrt(1 - cos * cos);
  return v;
}

const frontal: EvidenceFrame['face'] = { box: [0.3, 0.2, 0.4, 0.5], pose: [0, 0, 0], blink: [0, 0], ear: [0.3, 0.3], smile: 0, jawOpen: 0, mar: 0, pts: [] };
const evidence: Evidence = {
  version: 1,
  sessionId: 'ses_1',
  nonce: 'n',
  steps: ['blink'],
  startedAt: 0,
  frames: Array.from({ length: 31 }, (_, i) => ({ t: i * 100, faces: 1, face: frontal })),
  camera: { label: 'cam', width: 640, height: 480 },
  droppedFrames: 0,
};
const TIMES = [0, 1500, 3000];
const samples = (templates: Float32Array[], crops?: string[]): DecodedSample[] => templates.map((template, i) => ({ t: TIMES[i]!, template, ...(crops && { crop: crops[i]! }) }));

/** An embedder that answers each crop name with the template it maps to. */
const embedder = (templates: Record<string, Float32Array> = {}) => ({ embedCrop: async (crop: string) => templates[crop]! }) as unknown as CropEmbedder;
const features = { assurance: MatchAssurance.Features };
const frames = { assurance: MatchAssurance.Frames };

describe('decideMatch', () => {
  it('enrols one person: the mean of the samples, unit length', async () => {
    const decision = await decideMatch(samples([vector(1), vector(0.9, 1), vector(0.9, 2)]), evidence, [], features, undefined, embedder());
    expect(decision).toMatchObject({ passed: true, threshold: MATCH_THRESHOLD });
    expect(decision).not.toHaveProperty('score');
    const mean = (decision as { mean: Float32Array }).mean;
    expect(Math.hypot(...mean)).toBeCloseTo(1, 5);
    expect(mean[1]).toBeCloseTo(mean[2]!, 6);
  });

  it('scores a payment by its least similar sample, passing at the threshold and not below', async () => {
    const enrolled = vector(1);
    const pass = await decideMatch(samples([vector(0.99, 1), vector(0.95, 2), vector(0.99, 3)]), evidence, [], features, enrolled, embedder());
    expect(pass).toMatchObject({ passed: true, score: expect.closeTo(0.95, 5), threshold: MATCH_THRESHOLD });
    // One person (identical samples), as similar to the enrolment as the threshold, or a little less.
    const same = (cos: number) => samples([1, 2, 3].map(() => vector(cos, 1)));
    expect(await decideMatch(same(MATCH_THRESHOLD), evidence, [], features, enrolled, embedder())).toMatchObject({ passed: true });
    const below = await decideMatch(same(MATCH_THRESHOLD - 0.01), evidence, [], features, enrolled, embedder());
    expect(below).toMatchObject({ passed: false, reason: 'face-mismatch', score: expect.closeTo(MATCH_THRESHOLD - 0.01, 5) });
  });

  it('calls samples of two people a swap, whatever the enrolment', async () => {
    const a = vector(1);
    const b = vector(0, 1);
    const decision = await decideMatch(samples([a, a, b]), evidence, [], features, a, embedder());
    expect(decision).toMatchObject({ passed: false, reason: 'face-inconsistent' });
    expect(decision).not.toHaveProperty('score');
  });

  it('calls unbound samples missing', async () => {
    const decision = await decideMatch(samples([vector(1), vector(1)]), evidence, [], features, vector(1), embedder());
    expect(decision).toMatchObject({ passed: false, reason: 'face-missing' });
  });

  it("in frames mode, decides on the server's own templates and refuses a template its crop does not give", async () => {
    const own = { a: vector(1), b: vector(0.98, 1), c: vector(0.98, 2), x: vector(0, 5) };
    // Client templates close to (not equal to) what the server computes: JPEG and float rounding.
    const near = (v: Float32Array) => {
      const w = Float32Array.from(v);
      w[7] = 0.05;
      const n = Math.hypot(...w);
      return w.map((value) => value / n);
    };
    const honest = await decideMatch(samples([near(own.a), near(own.b), near(own.c)], ['a', 'b', 'c']), evidence, [], frames, vector(1), embedder(own));
    expect(honest).toMatchObject({ passed: true, score: expect.closeTo(0.98, 5) });
    // The enrolled face's templates with crops of someone else.
    const forged = await decideMatch(samples([own.a, own.a, own.a], ['x', 'x', 'x']), evidence, [], frames, vector(1), embedder(own));
    expect(forged).toMatchObject({ passed: false, reason: 'template-mismatch' });
    expect(CROP_CONSISTENCY_THRESHOLD).toBeGreaterThan(MATCH_THRESHOLD);
    // In features mode the same forgery is not detectable: the templates are all there is.
    expect(await decideMatch(samples([own.a, own.a, own.a]), evidence, [], features, vector(1), embedder())).toMatchObject({ passed: true });
  });

  it('ends the session for attacks, not for "not you" or missing samples', () => {
    expect(matchEndsSession('face-inconsistent')).toBe(true);
    expect(matchEndsSession('template-mismatch')).toBe(true);
    expect(matchEndsSession('face-mismatch')).toBe(false);
    expect(matchEndsSession('face-missing')).toBe(false);
  });
});
