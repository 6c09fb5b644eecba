import type { FaceState, HeadState, PersonLayer } from '../plan.js';
import { FRAME_HEIGHT, FRAME_WIDTH, PLATE_HEIGHT, PLATE_ORIGIN_X, PLATE_ORIGIN_Y, PLATE_WIDTH } from '../plan.js';
import { FACE_TRIANGLES } from './face-triangles.js';
import {
  CHIN,
  EYE_OPENINGS,
  FACE_OVAL,
  FACE_SIDES,
  FOREHEAD_TOP,
  LEFT_EYE,
  LIPS,
  MOUTH_OPENING,
  RIGHT_EYE,
  type EyeRegion,
} from './face-regions.js';

/** Landmarks the tessellation uses (the iris points 468–477 are not part of it). */
const MESH_POINTS = 468;
/**
 * Rings around the face oval, as multiples of its size about the face centre: they carry
 * hair, ears and neck with the head and fade into the still background. The last one lies
 * far outside the plate, so the mesh covers every pixel the camera can see.
 */
const RING_SCALES = [1.12, 1.28, 1.5, 1.8, 2.2, 2.8, 3.6, 12];
/** Focal length of the virtual camera in pixels (a webcam's ~56° horizontal view). */
export const FOCAL = 600;

/** The camera's principal point on the plate. */
const CENTRE_X = PLATE_ORIGIN_X + FRAME_WIDTH / 2;
const CENTRE_Y = PLATE_ORIGIN_Y + FRAME_HEIGHT / 2;

export interface Camera {
  dx: number;
  dy: number;
  scale: number;
  roll: number;
}

/** Vertex data for one pose: clip-space positions (x, y, z, w) and premultiplied tints (r, g, b, amount). */
export interface Posed {
  positions: Float32Array<ArrayBuffer>;
  tints: Float32Array<ArrayBuffer>;
}

/**
 * A textured mesh of one portrait: MediaPipe's face mesh on the portrait's own landmarks
 * (with their depth), extended by rings out to the frame's edges, so a turn moves the face,
 * stretches hair and ears and leaves the background still, and no pixel of the portrait is
 * drawn twice. Eyes and mouth are holes in MediaPipe's mesh; the rig fills them with fans it
 * can tint (skin over a closed eye, a dark mouth when the jaw drops).
 */
export class FaceRig {
  readonly vertexCount: number;
  readonly indices: Uint16Array<ArrayBuffer>;
  readonly uvs: Float32Array<ArrayBuffer>;
  private readonly base: Float32Array;
  private readonly work: Float32Array;
  private readonly headWeight: Float32Array;
  private readonly jawWeight: Float32Array;
  private readonly smileMotion: Float32Array;
  /** Fan vertices: [vertex, source landmark] pairs, and each fan's centre and rim. */
  private readonly copies: Array<[number, number]> = [];
  private readonly fans: Array<{ centre: number; rim: number[]; kind: 'eye' | 'mouth' }> = [];
  private readonly eyes: EyeMotion[];
  private readonly pivot: [number, number, number];
  private readonly mouthWidth: number;
  private readonly skin: [number, number, number];
  private readonly faceWidth: number;
  readonly positions: Float32Array<ArrayBuffer>;
  readonly tints: Float32Array<ArrayBuffer>;

  /**
   * @param landmarks 478 × (x, y, z) in plate pixels, as the vision worker saw the neutral frame.
   * @param skin the skin colour for closed lids (0..1).
   */
  constructor(landmarks: Float32Array, skin: [number, number, number]) {
    this.skin = skin;
    const at = (i: number): [number, number, number] => [landmarks[i * 3]!, landmarks[i * 3 + 1]!, landmarks[i * 3 + 2]!];
    const dist = (a: number, b: number): number => Math.hypot(at(a)[0] - at(b)[0], at(a)[1] - at(b)[1]);
    this.faceWidth = dist(FACE_SIDES[0], FACE_SIDES[1]);
    const faceHeight = dist(FOREHEAD_TOP, CHIN);
    this.mouthWidth = dist(LIPS.corners[0], LIPS.corners[1]);
    let cx = 0;
    let cy = 0;
    for (const i of FACE_OVAL) {
      cx += at(i)[0] / FACE_OVAL.length;
      cy += at(i)[1] / FACE_OVAL.length;
    }

    const ringCount = RING_SCALES.length * FACE_OVAL.length;
    const fanCount = EYE_OPENINGS.reduce((n, rim) => n + rim.length + 1, 0) + MOUTH_OPENING.length + 1;
    const n = MESH_POINTS + ringCount + fanCount;
    this.vertexCount = n;
    this.base = new Float32Array(n * 3);
    this.work = new Float32Array(n * 3);
    this.headWeight = new Float32Array(n).fill(1);
    this.jawWeight = new Float32Array(n);
    this.smileMotion = new Float32Array(n * 2);
    this.positions = new Float32Array(n * 4);
    this.tints = new Float32Array(n * 4);
    this.uvs = new Float32Array(n * 2);
    this.base.set(landmarks.subarray(0, MESH_POINTS * 3));

    const triangles: number[] = [...FACE_TRIANGLES];

    // Rings: the oval scaled about the face centre, receding in depth like the back of a head.
    // The head carries them further above (hair, cap) than below (the neck stays put).
    let previous: number[] = [...FACE_OVAL];
    RING_SCALES.forEach((s, r) => {
      const ring: number[] = [];
      FACE_OVAL.forEach((o, k) => {
        const v = MESH_POINTS + r * FACE_OVAL.length + k;
        const [ox, oy, oz] = at(o);
        this.base[v * 3] = cx + s * (ox - cx);
        this.base[v * 3 + 1] = cy + s * (oy - cy);
        this.base[v * 3 + 2] = oz + Math.min(s - 1, 1.5) * 0.6 * this.faceWidth;
        const up = clamp((cy - oy) / (faceHeight / 2), -1, 1);
        const rigid = up > 0 ? lerp(1.15, 1.45, up) : lerp(1.15, 1.0, -up);
        const fade = up > 0 ? 0.6 : lerp(0.6, 0.4, -up);
        this.headWeight[v] = 1 - smoothstep(rigid, rigid + fade, s);
        ring.push(v);
      });
      for (let k = 0; k < ring.length; k++) {
        const k1 = (k + 1) % ring.length;
        triangles.push(previous[k]!, previous[k1]!, ring[k]!, previous[k1]!, ring[k1]!, ring[k]!);
      }
      previous = ring;
    });

    // Fans over the eye and mouth openings, on copies of the rim landmarks.
    let next = MESH_POINTS + ringCount;
    const addFan = (rimLandmarks: readonly number[], kind: 'eye' | 'mouth'): void => {
      const rim = rimLandmarks.map((landmark) => {
        this.copies.push([next, landmark]);
        return next++;
      });
      const centre = next++;
      this.fans.push({ centre, rim, kind });
      rim.forEach((v, k) => triangles.push(centre, v, rim[(k + 1) % rim.length]!));
    };
    EYE_OPENINGS.forEach((rim) => addFan(rim, 'eye'));
    addFan(MOUTH_OPENING, 'mouth');
    this.indices = Uint16Array.from(triangles);

    this.eyes = [RIGHT_EYE, LEFT_EYE].map((eye) => new EyeMotion(eye, at));
    this.setJawWeights(at, faceHeight);
    this.setSmileMotion(at);
    // Copies and fan centres take their base positions from their sources.
    this.followCopies(this.base);

    for (let v = 0; v < n; v++) {
      this.uvs[v * 2] = this.base[v * 3]! / PLATE_WIDTH;
      this.uvs[v * 2 + 1] = this.base[v * 3 + 1]! / PLATE_HEIGHT;
    }

    // The head turns about the neck: behind the face's sides, a little below its centre.
    const sideDepth = (at(FACE_SIDES[0])[2] + at(FACE_SIDES[1])[2]) / 2;
    this.pivot = toCamera(cx, cy + 0.1 * faceHeight, sideDepth + 0.2 * this.faceWidth);
  }

  /** Computes clip-space positions and tints for one frame into `positions` and `tints`. */
  pose(person: PersonLayer, camera: Camera): Posed {
    const p = this.work;
    p.set(this.base);
    this.deform(p, person.face);
    this.followCopies(p);
    this.place(p, person.head, person, camera);
    this.tint(person.face);
    return { positions: this.positions, tints: this.tints };
  }

  private deform(p: Float32Array, face: FaceState): void {
    const jaw = face.jaw + 0.08 * face.smile;
    // MediaPipe reads jawOpen ≥ 0.5 once the lips part by ~0.7 mouth widths.
    const drop = jaw * 0.8 * this.mouthWidth;
    for (let v = 0; v < this.vertexCount; v++) {
      p[v * 3] = p[v * 3]! + face.smile * this.smileMotion[v * 2]!;
      p[v * 3 + 1] = p[v * 3 + 1]! + face.smile * this.smileMotion[v * 2 + 1]! + drop * this.jawWeight[v]!;
    }
    // Mouth corners draw in a little as the jaw drops.
    const [right, left] = LIPS.corners;
    const inward = 0.05 * this.mouthWidth * face.jaw;
    p[right * 3] = p[right * 3]! + inward;
    p[left * 3] = p[left * 3]! - inward;
    for (const eye of this.eyes) eye.apply(p, face.blink);
  }

  private followCopies(p: Float32Array): void {
    for (const [v, source] of this.copies) {
      p[v * 3] = p[source * 3]!;
      p[v * 3 + 1] = p[source * 3 + 1]!;
      p[v * 3 + 2] = p[source * 3 + 2]!;
    }
    for (const { centre, rim } of this.fans) {
      let x = 0;
      let y = 0;
      let z = 0;
      for (const v of rim) {
        x += p[v * 3]!;
        y += p[v * 3 + 1]!;
        z += p[v * 3 + 2]!;
      }
      p[centre * 3] = x / rim.length;
      p[centre * 3 + 1] = y / rim.length;
      p[centre * 3 + 2] = z / rim.length;
    }
  }

  /**
   * Unprojects each vertex with its depth (so the neutral pose reproduces the portrait
   * exactly), turns the head about the pivot, blends by how much of the head a vertex is,
   * projects again and applies the person's view and the camera.
   */
  private place(p: Float32Array, head: HeadState, person: PersonLayer, camera: Camera): void {
    const rotation = rotationMatrix(head.yaw, head.pitch, head.roll);
    const [px, py, pz] = this.pivot;
    const view = person.view ?? { scale: 1, dx: 0 };
    const cos = Math.cos((camera.roll * Math.PI) / 180) * camera.scale;
    const sin = Math.sin((camera.roll * Math.PI) / 180) * camera.scale;
    for (let v = 0; v < this.vertexCount; v++) {
      const [x, y, z] = toCamera(p[v * 3]!, p[v * 3 + 1]!, p[v * 3 + 2]!);
      const rx = x - px;
      const ry = y - py;
      const rz = z - pz;
      const w = this.headWeight[v]!;
      const hx = rotation[0] * rx + rotation[1] * ry + rotation[2] * rz + px + head.x;
      const hy = rotation[3] * rx + rotation[4] * ry + rotation[5] * rz + py + head.y;
      const hz = rotation[6] * rx + rotation[7] * ry + rotation[8] * rz + pz + head.z;
      const fx = x + w * (hx - x);
      const fy = y + w * (hy - y);
      const fz = z + w * (hz - z);
      // Frame pixels relative to the frame centre.
      let sx = (FOCAL * fx) / fz;
      let sy = (FOCAL * fy) / fz;
      sx = sx * view.scale + view.dx;
      sy = sy * view.scale;
      const cx = cos * sx - sin * sy + camera.dx;
      const cy = sin * sx + cos * sy + camera.dy;
      this.positions[v * 4] = cx / (FRAME_WIDTH / 2);
      this.positions[v * 4 + 1] = -cy / (FRAME_HEIGHT / 2);
      this.positions[v * 4 + 2] = clamp((fz - FOCAL / 2) / (FOCAL * 12), 0, 1) * 2 - 1;
      this.positions[v * 4 + 3] = 1;
    }
  }

  /**
   * Closed lids: the lid (margin up to the crease) turns to plain skin over a dark lash
   * line and the lashes' shadow below it; MediaPipe reads a closed eye from that line, not
   * from the lid geometry alone (tuned against the model: eyeBlink ≈ 0.6). An open jaw
   * shows a dark mouth. Tints are premultiplied, so they blend evenly across a triangle.
   */
  private tint(face: FaceState): void {
    const tints = this.tints;
    tints.fill(0);
    const [r, g, b] = this.skin;
    const set = (v: number, k: number, amount: number): void => tints.set([k * r * amount, k * g * amount, k * b * amount, amount], v * 4);
    const closed = face.blink ** 2;
    for (const eye of [RIGHT_EYE, LEFT_EYE]) {
      for (const v of eye.crease) set(v, 1.05, closed);
      for (const v of eye.upper.slice(1, -1)) set(v, 0.3, 0.9 * closed);
      for (const v of eye.lower.slice(1, -1)) set(v, 0.1, closed);
      for (const v of eye.fringe) set(v, 0.1, 0.9 * closed);
    }
    const open = smoothstep(0.03, 0.25, face.jaw + 0.4 * face.smile);
    for (const { centre, rim, kind } of this.fans) {
      // What is left of an eye's opening as the lids meet is lashes.
      if (kind === 'eye') for (const v of [centre, ...rim]) set(v, 0.1, closed);
      else {
        for (const v of rim) tints.set([0.25 * r * open, 0.1 * g * open, 0.1 * b * open, open], v * 4);
        tints.set([0.1 * r * open, 0.04 * g * open, 0.04 * b * open, open], centre * 4);
      }
    }
  }

  /**
   * How far each vertex follows the jaw: the lower lip (all of it, not only its contours)
   * and the chin fully, the upper lip not at all, the cheeks fading out.
   */
  private setJawWeights(at: (i: number) => [number, number, number], faceHeight: number): void {
    const upper = new Set<number>([...LIPS.upperOuter, ...LIPS.upperInner]);
    const [mx, my] = mid(at(13), at(14));
    const half = this.mouthWidth / 2;
    const lipLine = LIPS.lowerInner.map((i) => at(i)).sort((a, b) => a[0] - b[0]);
    const lipY = (x: number): number => {
      const i = lipLine.findIndex((p) => p[0] >= x);
      if (i <= 0) return lipLine[i === 0 ? 0 : lipLine.length - 1]![1];
      const [a, b] = [lipLine[i - 1]!, lipLine[i]!];
      return lerp(a[1], b[1], (x - a[0]) / (b[0] - a[0] || 1));
    };
    for (let v = 0; v < MESH_POINTS; v++) {
      const [x, y] = at(v);
      const across = Math.abs(x - mx);
      if (upper.has(v)) {
        // The corners, on both lips, follow a little.
        this.jawWeight[v] = (LIPS.corners as readonly number[]).includes(v) || (LIPS.innerCorners as readonly number[]).includes(v) ? 0.3 : 0;
        continue;
      }
      const chin = smoothstep(my - 0.02 * faceHeight, my + 0.12 * faceHeight, y) * (1 - smoothstep(0.3 * this.faceWidth, 0.55 * this.faceWidth, across));
      const lowerLip = across < half && y >= lipY(x) - 0.5 ? 0.3 + 0.7 * (1 - smoothstep(0.5 * half, half, across)) : 0;
      this.jawWeight[v] = Math.max(chin, lowerLip);
    }
    RING_SCALES.forEach((s, r) => {
      FACE_OVAL.forEach((o, k) => {
        const v = MESH_POINTS + r * FACE_OVAL.length + k;
        this.jawWeight[v] = this.jawWeight[o]! * (1 - smoothstep(1, 1.45, s));
      });
    });
  }

  /**
   * A smile pulls the mouth corners out and up, lifts the cheeks and, a little, the lower
   * lids; `smileMotion` holds each vertex's displacement at a full smile.
   */
  private setSmileMotion(at: (i: number) => [number, number, number]): void {
    const mw = this.mouthWidth;
    const [mx, my] = mid(at(LIPS.corners[0]), at(LIPS.corners[1]));
    const pulls = LIPS.corners.map((c) => {
      const [x, y] = at(c);
      const out = Math.sign(x - mx);
      return { x, y, dx: out * 0.14 * mw, dy: -0.12 * mw, sigma: 0.3 * mw };
    });
    const cheeks = [RIGHT_EYE, LEFT_EYE].map((eye, i) => {
      const [ex, ey] = at(eye.lower[4]!);
      const [cx, cy] = at(LIPS.corners[i]!);
      const out = Math.sign(cx - mx) * 0.06 * this.faceWidth;
      return { x: lerp(cx, ex, 0.5) + out, y: lerp(cy, ey, 0.5), dx: 0, dy: -0.05 * this.faceWidth, sigma: 0.15 * this.faceWidth };
    });
    for (let v = 0; v < MESH_POINTS; v++) {
      const [x, y] = at(v);
      let dx = 0;
      let dy = 0;
      for (const pull of [...pulls, ...cheeks]) {
        const g = Math.exp(-((x - pull.x) ** 2 + (y - pull.y) ** 2) / (2 * pull.sigma ** 2));
        dx += g * pull.dx;
        dy += g * pull.dy;
      }
      // The middle of the lips barely moves up; the corners carry the smile.
      if (Math.abs(y - my) < 0.4 * mw) dy *= smoothstep(0, 0.5 * mw, Math.abs(x - mx)) * 0.7 + 0.3;
      this.smileMotion[v * 2] = dx;
      this.smileMotion[v * 2 + 1] = dy;
    }
    for (const eye of [RIGHT_EYE, LEFT_EYE]) {
      for (const v of eye.lower.slice(1, -1)) this.smileMotion[v * 2 + 1] = this.smileMotion[v * 2 + 1]! - 0.012 * this.faceWidth;
    }
  }
}

/**
 * Closes one eye: the upper lid margin comes down onto the lower one, along a line that
 * sags a little as a closed lid does over the eyeball, and the crease follows a little.
 */
class EyeMotion {
  private readonly ax: number;
  private readonly ay: number;
  private readonly bx: number;
  private readonly by: number;
  /** Per moving vertex: index, its parameter along the eye, and how much of the lid motion it takes. */
  private readonly moves: Array<{ v: number; t: number; share: number; lower: boolean }> = [];
  private readonly width: number;
  private readonly upperCurve: Array<[number, number, number]>;
  private readonly lowerCurve: Array<[number, number, number]>;

  constructor(eye: EyeRegion, at: (i: number) => [number, number, number]) {
    [this.ax, this.ay] = at(eye.corners[0]);
    [this.bx, this.by] = at(eye.corners[1]);
    const curve = (ids: readonly number[]): Array<[number, number, number]> =>
      ids.map((i) => [this.param(at(i)[0], at(i)[1]), at(i)[0], at(i)[1]] as [number, number, number]).sort((a, b) => a[0] - b[0]);
    this.upperCurve = curve(eye.upper);
    this.lowerCurve = curve(eye.lower);
    for (const v of eye.upper.slice(1, -1)) this.moves.push({ v, t: this.param(at(v)[0], at(v)[1]), share: 1, lower: false });
    for (const v of eye.lower.slice(1, -1)) this.moves.push({ v, t: this.param(at(v)[0], at(v)[1]), share: 1, lower: true });
    // More crease motion bends glasses frames and reads as a squint, not a blink.
    for (const v of eye.crease) this.moves.push({ v, t: this.param(at(v)[0], at(v)[1]), share: 0.15, lower: false });
    this.width = Math.hypot(this.bx - this.ax, this.by - this.ay);
  }

  apply(p: Float32Array, blink: number): void {
    if (blink <= 0) return;
    for (const { v, t, share, lower } of this.moves) {
      const tc = clamp(t, 0, 1);
      const [ux, uy] = sample(this.upperCurve, tc);
      const [lx, ly] = sample(this.lowerCurve, tc);
      const meetX = lx;
      const meetY = ly + 0.08 * 4 * tc * (1 - tc) * this.width;
      const from = lower ? [lx, ly] : [ux, uy];
      const k = blink * share;
      p[v * 3] = p[v * 3]! + k * (meetX - from[0]!);
      p[v * 3 + 1] = p[v * 3 + 1]! + k * (meetY - from[1]!);
    }
  }

  private param(x: number, y: number): number {
    const dx = this.bx - this.ax;
    const dy = this.by - this.ay;
    return ((x - this.ax) * dx + (y - this.ay) * dy) / (dx * dx + dy * dy);
  }
}

function sample(curve: Array<[number, number, number]>, t: number): [number, number] {
  for (let i = 1; i < curve.length; i++) {
    const [t0, x0, y0] = curve[i - 1]!;
    const [t1, x1, y1] = curve[i]!;
    if (t <= t1 || i === curve.length - 1) {
      const f = t1 > t0 ? clamp((t - t0) / (t1 - t0), 0, 1) : 0;
      return [lerp(x0, x1, f), lerp(y0, y1, f)];
    }
  }
  return [curve[0]![1], curve[0]![2]];
}

/** Plate pixels with depth → camera space, such that projecting back gives the same pixel. */
function toCamera(x: number, y: number, z: number): [number, number, number] {
  const depth = FOCAL + z;
  return [((x - CENTRE_X) * depth) / FOCAL, ((y - CENTRE_Y) * depth) / FOCAL, depth];
}

/**
 * Row-major 3×3 rotation, yaw then pitch then roll, in camera space (x right, y down,
 * z away). Positive yaw brings the nose to the image's right (the person's own left),
 * positive pitch raises the chin, positive roll leans the head toward the image's right.
 */
export function rotationMatrix(yawDeg: number, pitchDeg: number, rollDeg: number): number[] {
  const [y, p, r] = [yawDeg, pitchDeg, rollDeg].map((d) => (d * Math.PI) / 180) as [number, number, number];
  const yaw = [Math.cos(y), 0, -Math.sin(y), 0, 1, 0, Math.sin(y), 0, Math.cos(y)];
  const pitch = [1, 0, 0, 0, Math.cos(p), Math.sin(p), 0, -Math.sin(p), Math.cos(p)];
  const roll = [Math.cos(r), -Math.sin(r), 0, Math.sin(r), Math.cos(r), 0, 0, 0, 1];
  return multiply(multiply(yaw, pitch), roll);
}

function multiply(a: number[], b: number[]): number[] {
  const out = new Array<number>(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) out[i * 3 + j] = a[i * 3]! * b[j]! + a[i * 3 + 1]! * b[3 + j]! + a[i * 3 + 2]! * b[6 + j]!;
  }
  return out;
}

function mid(a: [number, number, number], b: [number, number, number]): [number, number] {
  return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
}

export function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

export function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}

export function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = clamp((x - edge0) / (edge1 - edge0), 0, 1);
  return t * t * (3 - 2 * t);
}
