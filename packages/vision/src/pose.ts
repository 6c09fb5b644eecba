import type { HeadPose } from '@facepay/protocol';

const DEG = 180 / Math.PI;

type Vec3 = [number, number, number];

const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

function normalize(v: Vec3): Vec3 {
  const n = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / n, v[1] / n, v[2] / n];
}

/**
 * Head pose from MediaPipe's facial transformation matrix (4x4, column-major, canonical
 * face → camera). In the canonical face x points to the image's right (the person's own
 * left), y up and z out of the face toward the camera, so a frontal face is the identity.
 *
 * The pose is read as yaw, then pitch, then roll (R = Ry(yaw) · Rx(-pitch) · Rz(-roll)):
 * yaw and pitch come from where the nose points, roll from the face's up vector measured
 * against the up vector the same yaw and pitch would give without roll. This keeps each
 * angle meaningful on its own, which is what step detectors need. Scale in the matrix is
 * ignored. Signs: see `HeadPose`.
 */
export function poseFromMatrix(m: ArrayLike<number>): HeadPose {
  if (m.length < 16) throw new TypeError(`poseFromMatrix needs 16 values, got ${m.length}`);
  const forward = normalize([m[8]!, m[9]!, m[10]!]);
  const up = normalize([m[4]!, m[5]!, m[6]!]);
  const yawRad = Math.atan2(forward[0], forward[2]);
  const pitchRad = Math.asin(Math.max(-1, Math.min(1, forward[1])));
  const sy = Math.sin(yawRad);
  const cy = Math.cos(yawRad);
  const sp = Math.sin(pitchRad);
  const cp = Math.cos(pitchRad);
  const right0: Vec3 = [cy, 0, -sy];
  const up0: Vec3 = [-sp * sy, cp, -sp * cy];
  const rollRad = Math.atan2(dot(up, right0), dot(up, up0));
  return { yaw: clean(yawRad * DEG), pitch: clean(pitchRad * DEG), roll: clean(rollRad * DEG) };
}

/** The rotation (4x4 column-major, no translation) that `poseFromMatrix` reads back as `pose`. */
export function matrixFromPose(pose: HeadPose): Float32Array {
  const y = pose.yaw / DEG;
  const p = -pose.pitch / DEG;
  const r = -pose.roll / DEG;
  const ry = [
    [Math.cos(y), 0, Math.sin(y)],
    [0, 1, 0],
    [-Math.sin(y), 0, Math.cos(y)],
  ];
  const rx = [
    [1, 0, 0],
    [0, Math.cos(p), -Math.sin(p)],
    [0, Math.sin(p), Math.cos(p)],
  ];
  const rz = [
    [Math.cos(r), -Math.sin(r), 0],
    [Math.sin(r), Math.cos(r), 0],
    [0, 0, 1],
  ];
  const rot = mul3(mul3(ry, rx), rz);
  const out = new Float32Array(16);
  for (let c = 0; c < 3; c++) for (let row = 0; row < 3; row++) out[c * 4 + row] = rot[row]![c]!;
  out[15] = 1;
  return out;
}

function mul3(a: number[][], b: number[][]): number[][] {
  return a.map((row) => [0, 1, 2].map((c) => row[0]! * b[0]![c]! + row[1]! * b[1]![c]! + row[2]! * b[2]![c]!));
}

/** Avoids `-0` and float dust in reported angles. */
function clean(deg: number): number {
  const rounded = Math.round(deg * 1000) / 1000;
  return rounded === 0 ? 0 : rounded;
}
