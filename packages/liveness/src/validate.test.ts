import {
  CHALLENGE_STEPS,
  EVIDENCE_MAX_BYTES,
  EVIDENCE_POINTS,
  FACE_TEMPLATE_CHARS,
  MATCH_MAX_CROP_CHARS,
  MATCH_MAX_JSON_BYTES,
  MATCH_MAX_SAMPLES,
  type Evidence,
  type EvidenceFrame,
} from '@facepay/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate } from './evaluate.js';
import { toEvidenceFrame } from './features.js';
import { validateEvidence } from './validate.js';
import { act, excursion, generateScene, still } from './testing/synthetic-face.js';
import { TEST_CAMERA, session } from './testing/session.js';

const live = session(['turn-left', 'blink']).evidence;

function invalid(input: unknown) {
  const result = validateEvidence(input);
  expect(result.ok).toBe(false);
  return (result as Extract<typeof result, { ok: false }>).error;
}

describe('validateEvidence', () => {
  it('accepts tracker evidence, as a value or as JSON', () => {
    expect(validateEvidence(live)).toEqual({ ok: true, evidence: live });
    expect(validateEvidence(JSON.stringify(live))).toEqual({ ok: true, evidence: live });
  });

  it.each<[string, (e: Record<string, any>) => void, string]>([
    ['another version', (e) => void (e.version = 2), 'version'],
    ['no nonce', (e) => void delete e.nonce, 'nonce'],
    ['an unknown step', (e) => void (e.steps = ['wink']), 'steps.0'],
    ['no steps', (e) => void (e.steps = []), 'steps'],
    ['an unknown field', (e) => void (e.image = 'data:image/png;base64,'), 'image'],
    ['a fractional time', (e) => void (e.frames[3].t = 1.5), 'frames.3.t'],
    ['a face without faces', (e) => void (e.frames[3].faces = 0), 'frames.3'],
    ['faces without a face', (e) => void delete e.frames[3].face, 'frames.3'],
    ['a short landmark list', (e) => void e.frames[3].face.pts.pop(), 'frames.3.face.pts'],
    ['a fractional landmark', (e) => void (e.frames[3].face.pts[0] = 0.5), 'frames.3.face.pts.0'],
    ['a blink score over 1', (e) => void (e.frames[3].face.blink[0] = 1.5), 'frames.3.face.blink.0'],
    ['a string number', (e) => void (e.frames[3].face.smile = '0.2'), 'frames.3.face.smile'],
    ['a screen score over 10', (e) => void (e.frames[3].face.screen = 10.5), 'frames.3.face.screen'],
    ['a negative screen score', (e) => void (e.frames[3].face.screen = -0.1), 'frames.3.face.screen'],
    ['no camera', (e) => void delete e.camera, 'camera'],
    ['negative dropped frames', (e) => void (e.droppedFrames = -1), 'droppedFrames'],
  ])('rejects evidence with %s, naming the path', (_, edit, path) => {
    const evidence = structuredClone(live) as Record<string, any>;
    edit(evidence);
    const error = invalid(evidence);
    expect(error.code).toBe('evidence-invalid');
    expect(error.issues?.some((issue) => issue.startsWith(`${path}:`)), error.issues?.join('\n')).toBe(true);
  });

  it('rejects what is not evidence at all', () => {
    for (const input of [undefined, null, 42, 'not json', '{"version":1', [], () => 1]) expect(invalid(input).code).toBe('evidence-invalid');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(invalid(cyclic).code).toBe('evidence-invalid');
    expect(invalid({ big: 1n }).code).toBe('evidence-invalid');
  });

  it('rejects more than EVIDENCE_MAX_BYTES of JSON, counted in UTF-8', () => {
    const padded = { ...live, sessionId: 'x', camera: { ...live.camera, settings: { pad: 'é'.repeat(EVIDENCE_MAX_BYTES / 2) } } };
    // Under the limit in UTF-16 units, over it in UTF-8 bytes.
    expect(JSON.stringify(padded).length).toBeLessThan(EVIDENCE_MAX_BYTES);
    expect(invalid(padded).code).toBe('evidence-too-large');
    expect(invalid('x'.repeat(EVIDENCE_MAX_BYTES + MATCH_MAX_JSON_BYTES + 1)).code).toBe('evidence-too-large');
  });

  it('budgets the face samples apart: the largest match member fits beside full frames, and does not make room for more frames', () => {
    const sample = (t: number) => ({ t, template: 'A'.repeat(FACE_TEMPLATE_CHARS), crop: 'B'.repeat(MATCH_MAX_CROP_CHARS) });
    const match = { model: 'faceres-1', samples: Array.from({ length: MATCH_MAX_SAMPLES }, (_, i) => sample(3_599_999 - i)) };
    const settings = (bytes: number) => ({ pad: 'x'.repeat(bytes) });
    // Frames and camera filling the evidence budget to the byte, then the largest match member.
    const base = { ...live, camera: { ...live.camera, settings: settings(0) } };
    const full = { ...base, camera: { ...base.camera, settings: settings(EVIDENCE_MAX_BYTES - JSON.stringify(base).length) } };
    expect(new TextEncoder().encode(JSON.stringify(full)).length).toBe(EVIDENCE_MAX_BYTES);
    const withMatch = { ...full, match };
    expect(JSON.stringify(match).length).toBeLessThanOrEqual(MATCH_MAX_JSON_BYTES);
    expect(validateEvidence(withMatch)).toEqual({ ok: true, evidence: withMatch });
    expect(validateEvidence(JSON.stringify(withMatch)).ok).toBe(true);
    // One byte more of frames is too much, with or without samples.
    const over = { ...full, sessionId: `${full.sessionId}x`, match };
    expect(invalid(over).code).toBe('evidence-too-large');
    expect(invalid(JSON.stringify(over)).code).toBe('evidence-too-large');
    // A match member outside the schema's bounds is refused by the schema, whatever its size.
    const crowded = { ...live, match: { ...match, samples: [...match.samples, sample(1)] } };
    expect(invalid(crowded).issues?.[0]).toMatch(/^match\.samples:/);
  });

  it('never quotes a face sample back (a template is biometric data), and keeps issues short', () => {
    const template = `${'Q'.repeat(FACE_TEMPLATE_CHARS - 1)}!`;
    const error = invalid({ ...live, match: { model: 'faceres-1', samples: [{ t: 0, template }] } });
    expect(error.issues?.[0]).toMatch(/^match\.samples\.0\.template:/);
    expect(error.issues!.join('\n')).not.toContain('QQQQ');
    const long = invalid({ ...live, camera: { ...live.camera, label: 7 }, nonce: 'n'.repeat(300) });
    expect(long.issues!.every((issue) => issue.length <= 200)).toBe(true);
  });

  it('caps the issues it lists', () => {
    const evidence = structuredClone(live) as Record<string, any>;
    for (const frame of evidence.frames) frame.t = -1;
    const error = invalid(evidence);
    expect(error.issues).toHaveLength(10);
    expect(error.message).toMatch(/\d+ issues/);
  });

  it('never throws, and answers anything with a coded error', () => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withMap: true, withSet: true, withTypedArray: true, withDate: true }), (input) => {
        const result = validateEvidence(input);
        if (!result.ok) expect(['evidence-invalid', 'evidence-too-large']).toContain(result.error.code);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on damaged evidence', () => {
    const paths = (value: unknown, prefix: (string | number)[] = []): (string | number)[][] =>
      value && typeof value === 'object'
        ? [prefix, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...prefix, Array.isArray(value) ? Number(k) : k]))]
        : [prefix];
    const all = paths({ ...live, frames: live.frames.slice(0, 3) }).filter((p) => p.length > 0);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...all), fc.anything()), { minLength: 1, maxLength: 4 }), (edits) => {
        const evidence = structuredClone({ ...live, frames: live.frames.slice(0, 3) }) as Record<string, any>;
        for (const [path, value] of edits) {
          let target = evidence;
          for (const key of path.slice(0, -1)) target = target?.[key as string];
          if (target && typeof target === 'object') target[path.at(-1) as string] = value;
        }
        const result = validateEvidence(evidence);
        if (!result.ok) expect(result.error.code).toBe('evidence-invalid');
      }),
      { numRuns: 300 },
    );
  });
});

describe('evidence size', () => {
  it('keeps a 10 s, 30 fps session well under EVIDENCE_MAX_BYTES', () => {
    const script = [still(1000), act('turn-left'), act('blink'), excursion({ yaw: -35, pitch: 15, roll: 10 }, 2000), act('smile'), act('open-mouth'), act('nod'), still(10_000)];
    const frames = generateScene({ script, fps: 30, timingJitterMs: 5, centre: [0.45, 0.55] }).filter((f) => f.observation.timestampMs < 10_000);
    expect(frames.length).toBeGreaterThanOrEqual(299);
    const start = frames[0]!.epochMs;
    const evidence: Evidence = {
      version: 1,
      sessionId: 'sess_0123456789abcdef0123456789',
      nonce: 'n_0123456789abcdef0123456789abcdef',
      steps: [...CHALLENGE_STEPS].slice(0, 3),
      startedAt: start,
      frames: frames.map((f): EvidenceFrame => toEvidenceFrame(f.observation, f.epochMs - start, 127.5)),
      camera: TEST_CAMERA,
      droppedFrames: 12,
    };
    const bytes = new TextEncoder().encode(JSON.stringify(evidence)).length;
    expect(bytes).toBeLessThanOrEqual(EVIDENCE_MAX_BYTES);
    // About 390 bytes a frame with 27 landmarks: room for 40 fps or a slow shopper.
    expect(bytes / frames.length).toBeLessThan(450);
    expect(evidence.frames[0]!.face!.pts).toHaveLength(EVIDENCE_POINTS.length * 2);
    expect(validateEvidence(evidence).ok).toBe(true);
  });
});

const num = (min: number, max: number) => fc.double({ min, max, noNaN: true });
const int = (min: number, max: number) => fc.integer({ min, max });
const unit = num(0, 1);
const faceArb = fc.record({
  box: fc.tuple(num(-1, 2), num(-1, 2), num(0, 2), num(0, 2)),
  pose: fc.tuple(num(-180, 180), num(-180, 180), num(-180, 180)),
  blink: fc.tuple(unit, unit),
  ear: fc.tuple(num(0, 10), num(0, 10)),
  smile: unit,
  jawOpen: unit,
  mar: num(0, 10),
  pts: fc.array(int(-100_000, 100_000), { minLength: EVIDENCE_POINTS.length * 2, maxLength: EVIDENCE_POINTS.length * 2 }),
  screen: num(0, 10),
}, { requiredKeys: ['box', 'pose', 'blink', 'ear', 'smile', 'jawOpen', 'mar', 'pts'] });
const frameArb: fc.Arbitrary<EvidenceFrame> = fc.oneof(
  fc.record({ t: int(0, 3_600_000), faces: fc.constant(0), luma: num(0, 255) }, { requiredKeys: ['t', 'faces'] }),
  fc.record({ t: int(0, 3_600_000), faces: int(1, 100), face: faceArb, luma: num(0, 255) }, { requiredKeys: ['t', 'faces', 'face'] }),
);
const evidenceArb: fc.Arbitrary<Evidence> = fc.record({
  version: fc.constant(1 as const),
  sessionId: fc.string({ minLength: 1, maxLength: 20 }),
  nonce: fc.string({ minLength: 1, maxLength: 20 }),
  steps: fc.array(fc.constantFrom(...CHALLENGE_STEPS), { minLength: 1, maxLength: 6 }),
  startedAt: fc.nat(),
  frames: fc.array(frameArb, { maxLength: 40 }),
  camera: fc.record(
    { label: fc.string({ maxLength: 30 }), width: int(0, 100_000), height: int(0, 100_000), frameRate: num(0, 100_000), settings: fc.dictionary(fc.string(), fc.jsonValue()) },
    { requiredKeys: ['label', 'width', 'height'] },
  ),
  droppedFrames: int(0, 1_000_000),
});

describe('evaluate on any valid evidence', () => {
  const sane = (evidence: Evidence) => {
    expect(validateEvidence(evidence).ok).toBe(true);
    const evaluation = evaluate(evidence, { nonce: evidence.nonce, steps: evidence.steps });
    expect(['live', 'spoof', 'inconclusive']).toContain(evaluation.verdict);
    expect(evaluation.score).toBeGreaterThanOrEqual(0);
    expect(evaluation.score).toBeLessThanOrEqual(1);
    for (const check of evaluation.checks) expect(Number.isFinite(check.value), check.name).toBe(true);
    expect(JSON.parse(JSON.stringify(evaluation))).toEqual(evaluation);
  };

  it('reports finite check values for a degenerate face box (found by fast-check)', () => {
    const face = { box: [0, 0, 0, 5e-324] as [number, number, number, number], pose: [0, 0, 0] as [number, number, number], blink: [0, 0] as [number, number], ear: [0, 0] as [number, number], smile: 0, jawOpen: 0, mar: 0 };
    const pts = new Array(EVIDENCE_POINTS.length * 2).fill(0);
    pts[17] = 501;
    const evidence: Evidence = {
      version: 1,
      sessionId: ' ',
      nonce: ' ',
      steps: ['blink'],
      startedAt: 0,
      frames: [
        { t: 0, faces: 1, face: { ...face, pts } },
        { t: 0, faces: 1, face: { ...face, box: [0, 8.881784197001252e-20, 0, 0], pts: new Array(EVIDENCE_POINTS.length * 2).fill(0) } },
      ],
      camera: { label: '', width: 0, height: 0 },
      droppedFrames: 0,
    };
    sane(evidence);
  });

  it('never throws on random schema-valid evidence', () => {
    fc.assert(fc.property(evidenceArb, sane), { numRuns: 300 });
  }, 30_000);

  it('never throws on live evidence with random frames, values and times spliced in', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(live.frames.length - 1), frameArb), { maxLength: 10 }), fc.boolean(), (splices, sortTimes) => {
        const evidence = structuredClone(live);
        for (const [at, frame] of splices) evidence.frames[at] = sortTimes ? { ...frame, t: evidence.frames[at]!.t } : frame;
        sane(evidence);
      }),
      { numRuns: 60 },
    );
  }, 30_000);
});
