import { EVIDENCE_POINTS, EvidenceFrameSchema, POINT_SCALE, parseWithSchema, type Observation } from '@facepay/protocol';
import { describe, expect, it } from 'vitest';
import { toEvidenceFrame } from './features.js';
import { act, generateScene, still } from './testing/synthetic-face.js';

const scene = generateScene({ script: [still(200), act('blink', { ms: 300 }), act('open-mouth', { ms: 600 }), act('smile', { ms: 600 })], seed: 4 });
const at = (ms: number) => scene.find((f) => f.observation.timestampMs >= ms)!.observation;

describe('toEvidenceFrame', () => {
  it('gives a schema-valid frame with the face, pose and quantised points', () => {
    const observation = at(0);
    const frame = toEvidenceFrame(observation, 12.4, 118.27);
    expect(parseWithSchema(EvidenceFrameSchema, frame).ok).toBe(true);
    expect(frame).toMatchObject({ t: 12, faces: 1, luma: 118.3 });
    const face = frame.face!;
    expect(face.pts).toHaveLength(EVIDENCE_POINTS.length * 2);
    expect(face.pts.every(Number.isInteger)).toBe(true);
    // The nose tip is near the middle of the box, the person's right face side at its left edge.
    const nose = EVIDENCE_POINTS.findIndex((p) => p.name === 'noseTip') * 2;
    const side = EVIDENCE_POINTS.findIndex((p) => p.name === 'rightFaceSide') * 2;
    expect(face.pts[nose]).toBeGreaterThan(0.4 * POINT_SCALE);
    expect(face.pts[nose]).toBeLessThan(0.6 * POINT_SCALE);
    expect(face.pts[side]).toBeLessThan(0.05 * POINT_SCALE);
    expect(face.pose).toEqual(face.pose.map((x) => Math.round(x * 10) / 10));
  });

  it('measures open eyes and a closed mouth, then a blink and an open mouth', () => {
    const open = toEvidenceFrame(at(0), 0).face!;
    expect(open.ear[0]).toBeGreaterThan(0.25);
    expect(open.ear[1]).toBeGreaterThan(0.25);
    expect(open.mar).toBeLessThan(0.1);
    expect(open.blink[0]).toBeLessThan(0.1);
    const blink = toEvidenceFrame(at(350), 0).face!;
    expect(blink.blink[0]).toBeGreaterThan(0.8);
    expect(blink.ear[0]).toBeLessThan(0.12);
    const mouth = toEvidenceFrame(at(800), 0).face!;
    expect(mouth.jawOpen).toBeGreaterThan(0.5);
    expect(mouth.mar).toBeGreaterThan(0.3);
    const smile = toEvidenceFrame(at(1400), 0).face!;
    expect(smile.smile).toBeGreaterThan(0.6);
  });

  it('keeps the largest face and counts them all', () => {
    const two = generateScene({ script: [still(100)], secondFace: [[0, 100]] })[0]!.observation;
    const frame = toEvidenceFrame(two, 0);
    expect(frame.faces).toBe(2);
    expect(frame.face!.box[2]).toBeCloseTo(Math.max(...two.faces.map((f) => f.box.width)), 4);
  });

  it('reports the face\'s brightness when the worker measured it, the frame\'s otherwise', () => {
    const observation = at(0);
    const lit: Observation = { ...observation, faces: [{ ...observation.faces[0]!, luma: 140.04 }] };
    // A bright face against a black background is not too dark: the face region wins.
    expect(toEvidenceFrame(lit, 0, 22).luma).toBe(140);
    expect(toEvidenceFrame(observation, 0, 22).luma).toBe(22);
  });

  it('carries the worker\'s screen score on the face, to 2 decimals within 0..10, and none unless measured', () => {
    const observation = at(0);
    const withScreen = (screen: number): Observation => ({ ...observation, faces: [{ ...observation.faces[0]!, screen }] });
    expect(toEvidenceFrame(withScreen(0.9349), 0).face!.screen).toBe(0.93);
    expect(toEvidenceFrame(withScreen(14), 0).face!.screen).toBe(10);
    expect(toEvidenceFrame(withScreen(Number.NaN), 0).face!.screen).toBe(0);
    expect(parseWithSchema(EvidenceFrameSchema, toEvidenceFrame(withScreen(2.456), 0)).ok).toBe(true);
    expect(toEvidenceFrame(observation, 0).face).not.toHaveProperty('screen');
  });

  it('has no face when none was found, and no luma unless measured', () => {
    const none: Observation = { timestampMs: 0, width: 640, height: 480, faces: [], inferenceMs: 1 };
    expect(toEvidenceFrame(none, 5)).toEqual({ t: 5, faces: 0 });
  });

  it('stays schema-valid whatever numbers the landmarker returns', () => {
    const observation = at(0);
    const face = observation.faces[0]!;
    const broken: Observation = {
      ...observation,
      faces: [{ ...face, box: { x: Number.NaN, y: 0, width: 0, height: -1 }, pose: { yaw: Infinity, pitch: 400, roll: -1e9 }, blendshapes: new Float32Array(52).fill(1.7), landmarks: new Float32Array(30) }],
    };
    const frame = toEvidenceFrame(broken, -3, 900);
    expect(parseWithSchema(EvidenceFrameSchema, frame).ok).toBe(true);
    expect(frame.t).toBe(0);
  });
});
