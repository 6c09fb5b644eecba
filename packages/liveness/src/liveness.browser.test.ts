import type { Evidence, EvidenceFrame } from '@facepay/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from '@facepay/testkit';
import { evaluate } from './evaluate.js';
import { homographyResidual } from './geometry.js';
import type * as vision from '@facepay/vision';
import type * as liveness from './index.js';
import { DEFAULT_POLICY } from './policy.js';
import { eyeSpan, pixelPoints } from './signals.js';
import { TEST_CAMERA } from './testing/session.js';

// The thresholds against the real model (built worker, CPU delegate) on the two test
// portraits: a flat photo tilted in perspective, and one face against the other.

interface Shot {
  person: 'grace' | 'ad';
  yaw: number;
  pitch: number;
  shiftCm: number;
  frame?: EvidenceFrame;
}

/** What the harness page exposes (`window.facepay`). */
type PageModules = { liveness: typeof liveness; vision: typeof vision };

let h: Harness;
let shots: Shot[];

beforeAll(async () => {
  h = await openHarness();
  shots = await h.page.evaluate(async () => {
    const { vision: visionModule, liveness: engine } = (window as unknown as { facepay: PageModules }).facepay;
    const client = visionModule.createVisionClient();
    const init = await client.init({ delegate: 'CPU' });
    if (!init.ok) throw new Error(init.error.code);
    const W = 640;
    const H = 480;
    const pixels = async (url: string, heightPx: number) => {
      const img = await createImageBitmap(await (await fetch(url)).blob());
      const canvas = new OffscreenCanvas(Math.round((img.width * heightPx) / img.height), heightPx);
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
      return ctx.getImageData(0, 0, canvas.width, canvas.height);
    };
    // The photo, `heightCm` tall, 50 cm from a pinhole camera, turned about its centre:
    // each output pixel's ray meets the photo's plane at one source pixel (a homography).
    const photo = ({ src, heightCm }: { src: ImageData; heightCm: number }, yawDeg: number, pitchDeg: number, shiftCm: number) => {
      const out = new ImageData(W, H);
      const focal = 0.85 * W;
      const cmPerPx = heightCm / src.height;
      const a = (yawDeg * Math.PI) / 180;
      const b = (pitchDeg * Math.PI) / 180;
      const ex = [Math.cos(a), 0, -Math.sin(a)];
      const ey = [Math.sin(a) * Math.sin(b), Math.cos(b), Math.cos(a) * Math.sin(b)];
      const n = [ex[1]! * ey[2]! - ex[2]! * ey[1]!, ex[2]! * ey[0]! - ex[0]! * ey[2]!, ex[0]! * ey[1]! - ex[1]! * ey[0]!];
      const centre = [shiftCm, 0, 50];
      const along = n[0]! * centre[0]! + n[1]! * centre[1]! + n[2]! * centre[2]!;
      for (let v = 0; v < H; v++) {
        for (let u = 0; u < W; u++) {
          const d = [(u - W / 2) / focal, (v - H / 2) / focal, 1];
          const t = along / (n[0]! * d[0]! + n[1]! * d[1]! + n[2]! * d[2]!);
          const p = [d[0]! * t - centre[0]!, d[1]! * t - centre[1]!, d[2]! * t - centre[2]!];
          const sx = Math.round((p[0]! * ex[0]! + p[1]! * ex[1]! + p[2]! * ex[2]!) / cmPerPx + src.width / 2);
          const sy = Math.round((p[0]! * ey[0]! + p[1]! * ey[1]! + p[2]! * ey[2]!) / cmPerPx + src.height / 2);
          const o = (v * W + u) * 4;
          const i = (sy * src.width + sx) * 4;
          const inside = sx >= 0 && sy >= 0 && sx < src.width && sy < src.height;
          out.data[o] = inside ? src.data[i]! : 40;
          out.data[o + 1] = inside ? src.data[i + 1]! : 40;
          out.data[o + 2] = inside ? src.data[i + 2]! : 40;
          out.data[o + 3] = 255;
        }
      }
      const canvas = new OffscreenCanvas(W, H);
      canvas.getContext('2d')!.putImageData(out, 0, 0);
      return canvas.transferToImageBitmap();
    };
    // Sized so both faces pass the quality gate (the portrait's face is a small part of it).
    const sources = {
      grace: { src: await pixels('/__shared/faces/grace_hopper.jpg', 900), heightCm: 45 },
      ad: { src: await pixels('/__shared/faces/xmorph-ad-1.png', 480), heightCm: 24 },
    };
    const plan: Omit<Shot, 'frame'>[] = [];
    for (const person of ['grace', 'ad'] as const) {
      for (const [yaw, pitch, shiftCm] of [[0, 0, 0], [0, 0, 1], [0, 0, -1], [0, 0, 2], [15, 0, 0], [30, 0, 0], [0, 20, 0], [0, -20, 0]] as const) {
        plan.push({ person, yaw, pitch, shiftCm });
      }
    }
    const out: Shot[] = [];
    let now = 0;
    for (const shot of plan) {
      // Twice each: the first frame after a jump lets MediaPipe's tracking settle.
      for (let k = 0; k < 2; k++) {
        now += 40;
        const result = await client.process(photo(sources[shot.person], shot.yaw, shot.pitch, shot.shiftCm), now);
        if (k === 1 && result.status === 'ok') out.push({ ...shot, frame: engine.toEvidenceFrame(result.observation, now) });
      }
    }
    await client.close();
    return out;
  });
}, 120_000);

afterAll(async () => {
  await h?.close();
});

const size = { width: 640, height: 480 };
const shot = (person: Shot['person'], yaw: number, pitch: number, shiftCm = 0) =>
  shots.find((s) => s.person === person && s.yaw === yaw && s.pitch === pitch && s.shiftCm === shiftCm)?.frame?.face;

describe('the liveness thresholds against the real model', () => {
  it('finds a face in every shot', () => {
    expect(shots.filter((s) => s.frame?.faces === 1)).toHaveLength(16);
  });

  it('sees a tilted flat photo as flat, and as barely turned', () => {
    for (const person of ['grace', 'ad'] as const) {
      const front = pixelPoints(shot(person, 0, 0)!, size);
      for (const [yaw, pitch] of [[15, 0], [30, 0], [0, 20], [0, -20]] as const) {
        const face = shot(person, yaw, pitch)!;
        const residual = homographyResidual(front, pixelPoints(face, size))! / eyeSpan(front);
        expect(residual, `${person} ${yaw}/${pitch}`).toBeLessThan(DEFAULT_POLICY.planarityMinResidual);
      }
      // MediaPipe reads the tilted photo's pose from the face's texture: not a turn.
      const turned = shot(person, 30, 0)!.pose[0] - shot(person, 0, 0)!.pose[0];
      expect(Math.abs(turned), person).toBeLessThan(DEFAULT_POLICY.turnMinDeg);
    }
  });

  it('keeps one face as one identity and tells the two people apart', () => {
    const frames = (faces: ReturnType<typeof shot>[]): EvidenceFrame[] =>
      faces.map((face, i) => ({ t: i * 40, faces: 1, face: face! }));
    const gate = Array.from({ length: 18 }, (_, i) => shot('grace', 0, 0, [0, 1, -1][i % 3]!));
    const evidence = (rest: ReturnType<typeof shot>[]): Evidence => ({
      version: 1, sessionId: 's', nonce: 'n', steps: ['blink'], startedAt: 0, frames: frames([...gate, ...rest]), camera: TEST_CAMERA, droppedFrames: 0,
    });
    // Wide pose gate: the two portraits sit 12° apart in yaw, and this compares them anyway.
    const identity = (rest: ReturnType<typeof shot>[]) =>
      evaluate(evidence(rest), { nonce: 'n', steps: ['blink'] }, { identityMaxDeg: 20 }).checks.find((c) => c.name === 'identity')!;
    const same = identity(Array.from({ length: 8 }, (_, i) => shot('grace', 0, 0, [2, 1, 0, -1][i % 4]!)));
    expect(same.passed).toBe(true);
    const swapped = identity(Array.from({ length: 8 }, (_, i) => shot('ad', 0, 0, [0, 1, -1, 2][i % 4]!)));
    expect(swapped.passed).toBe(false);
    expect(swapped.value).toBeGreaterThan(DEFAULT_POLICY.identityMaxDeviation * 1.3);
  });
});
