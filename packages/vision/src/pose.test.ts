import { describe, expect, it } from 'vitest';
import { matrixFromPose, poseFromMatrix } from './pose.js';

describe('poseFromMatrix', () => {
  it('reads the identity as a frontal face', () => {
    const identity = new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, -50, 1]);
    expect(poseFromMatrix(identity)).toEqual({ yaw: 0, pitch: 0, roll: 0 });
  });

  it('gives positive yaw when the nose points to the image right (the person turns to their own left)', () => {
    // Rotation about +y by 30 degrees: forward (0,0,1) becomes (sin 30, 0, cos 30).
    const a = Math.PI / 6;
    const m = new Float32Array([Math.cos(a), 0, -Math.sin(a), 0, 0, 1, 0, 0, Math.sin(a), 0, Math.cos(a), 0, 0, 0, -40, 1]);
    const pose = poseFromMatrix(m);
    expect(pose.yaw).toBeCloseTo(30, 2);
    expect(pose.pitch).toBeCloseTo(0, 2);
    expect(pose.roll).toBeCloseTo(0, 2);
  });

  it('gives positive pitch when the nose points up', () => {
    const a = Math.PI / 9;
    // Rotation about -x: forward (0,0,1) becomes (0, sin 20, cos 20).
    const m = new Float32Array([1, 0, 0, 0, 0, Math.cos(a), -Math.sin(a), 0, 0, Math.sin(a), Math.cos(a), 0, 0, 0, -40, 1]);
    expect(poseFromMatrix(m).pitch).toBeCloseTo(20, 2);
    expect(poseFromMatrix(m).yaw).toBeCloseTo(0, 2);
  });

  it('gives positive roll when the face up vector leans to the image right (the person\'s left shoulder)', () => {
    const a = Math.PI / 12;
    // Up (0,1,0) becomes (sin 15, cos 15, 0).
    const m = new Float32Array([Math.cos(a), -Math.sin(a), 0, 0, Math.sin(a), Math.cos(a), 0, 0, 0, 0, 1, 0, 0, 0, -40, 1]);
    expect(poseFromMatrix(m).roll).toBeCloseTo(15, 2);
  });

  it('round-trips combined angles, independent of scale and translation', () => {
    for (const pose of [
      { yaw: 25, pitch: -10, roll: 5 },
      { yaw: -32, pitch: 12, roll: -8 },
      { yaw: 3, pitch: 28, roll: 20 },
      { yaw: -60, pitch: -35, roll: -25 },
    ]) {
      const m = matrixFromPose(pose);
      for (let i = 0; i < 12; i++) m[i] = m[i]! * 1.3;
      m[12] = 2;
      m[13] = -3;
      m[14] = -45;
      const back = poseFromMatrix(m);
      expect(back.yaw).toBeCloseTo(pose.yaw, 2);
      expect(back.pitch).toBeCloseTo(pose.pitch, 2);
      expect(back.roll).toBeCloseTo(pose.roll, 2);
    }
  });

  it('keeps the signs apart: yaw does not leak into roll or pitch', () => {
    const back = poseFromMatrix(matrixFromPose({ yaw: 40, pitch: 0, roll: 0 }));
    expect(back.pitch).toBeCloseTo(0, 3);
    expect(back.roll).toBeCloseTo(0, 3);
  });

  it('rejects a short matrix with a TypeError', () => {
    expect(() => poseFromMatrix([1, 0, 0])).toThrow(TypeError);
  });
});
