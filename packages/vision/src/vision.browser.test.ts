import { readFile, mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, ROOT, startStaticServer, type Harness, type StaticServer } from '@facepay/testkit';
import type * as vision from './index.js';
import type { InitResult, ProcessResult, VisionClient } from './index.js';
import type { createFaceEngine } from './main-thread.js';

// Runs the built worker (dist/) with the real model in Debian's Chromium.

declare global {
  interface Window {
    facepay: { vision: typeof vision };
    vision: VisionClient;
    createFaceEngine: typeof createFaceEngine;
    portrait: ImageBitmap;
    frameOf(kind: 'portrait' | 'mirror' | 'blank', turnDegrees?: number): ImageBitmap;
  }
}

let h: Harness;
let badAssets: StaticServer;
/** Every URL the page and its workers asked for. */
const requested: string[] = [];
let tmp: string;

beforeAll(async () => {
  h = await openHarness();
  h.page.on('request', (request) => requested.push(request.url()));
  // A second origin serving a corrupt model, a truncated one, and nothing else.
  tmp = await mkdtemp(join(tmpdir(), 'facepay-assets-'));
  const model = await readFile(join(ROOT, 'packages/vision/dist/models/face_landmarker.task'));
  const flipped = Buffer.from(model);
  for (let i = 0; i < flipped.length; i += 4096) flipped[i] = flipped[i]! ^ 0xff;
  await writeFile(join(tmp, 'corrupt.task'), flipped);
  await writeFile(join(tmp, 'garbage.task'), Buffer.from('this is not a model'));
  badAssets = await startStaticServer({ mounts: { '/': tmp }, headers: { 'access-control-allow-origin': '*' } });

  await h.page.evaluate(async () => {
    const response = await fetch('/__shared/faces/grace_hopper.jpg');
    window.portrait = await createImageBitmap(await response.blob());
    // A yaw turn faked in 2D: the head as a vertical cylinder around the face's centre line,
    // rotated by `turnDegrees` (positive moves the nose to the image's right, the way a
    // person turning to their own left looks to the camera).
    window.frameOf = (kind, turnDegrees = 0) => {
      const img = window.portrait;
      const canvas = new OffscreenCanvas(img.width, img.height);
      const ctx = canvas.getContext('2d')!;
      if (kind === 'blank') {
        ctx.fillStyle = '#808080';
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        return canvas.transferToImageBitmap();
      }
      if (kind === 'mirror') {
        ctx.translate(img.width, 0);
        ctx.scale(-1, 1);
      }
      const cx = img.width / 2;
      const radius = img.width * 0.3;
      const t = (turnDegrees * Math.PI) / 180;
      for (let x = 0; x < img.width; x++) {
        const d = (x - cx) / radius;
        let sx = x - radius * Math.sin(t);
        if (Math.abs(d) < 1) {
          const phi = Math.asin(d) - t;
          sx = Math.abs(phi) < Math.PI / 2 ? cx + radius * Math.sin(phi) : cx + Math.sign(phi) * radius;
        }
        ctx.drawImage(img, Math.max(0, Math.min(img.width - 1, sx)), 0, 1, img.height, x, 0, 1, img.height);
      }
      return canvas.transferToImageBitmap();
    };
  });
});

afterAll(async () => {
  await h?.page.evaluate(() => window.vision?.close());
  await h?.close();
  await badAssets?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('vision worker with the real model', () => {
  it('initialises once, reports progress and the delegate it chose', async () => {
    const { first, second, progress } = await h.page.evaluate(async () => {
      const { createVisionClient } = window.facepay.vision;
      window.vision = createVisionClient();
      const progress: Array<{ stage: string; loaded: number; total: number }> = [];
      const first = await window.vision.init({}, (p) => progress.push(p));
      const second = await window.vision.init({});
      return { first, second, progress };
    });
    expect(first, h.console.join('\n')).toMatchObject({ ok: true });
    const ok = first as Extract<InitResult, { ok: true }>;
    expect(['CPU', 'GPU']).toContain(ok.delegate);
    expect(ok.initMs).toBeGreaterThan(0);
    // The second call shares the first load instead of loading again.
    expect(second).toEqual(first);
    const stages = new Set(progress.map((p) => p.stage));
    expect([...stages]).toEqual(['wasm', 'model', 'landmarker']);
    const lastModel = progress.filter((p) => p.stage === 'model').at(-1)!;
    expect(lastModel.loaded).toBe(3_758_596);
  });

  it('finds one near-frontal face with 478 landmarks, 52 blendshapes and a pose on the portrait', async () => {
    const result = await h.page.evaluate(async () => {
      const r = await window.vision.process(window.frameOf('portrait'), 1000);
      if (r.status !== 'ok') return r;
      const face = r.observation.faces[0]!;
      return {
        status: r.status,
        faces: r.observation.faces.length,
        size: [r.observation.width, r.observation.height],
        inferenceMs: r.observation.inferenceMs,
        landmarksType: face.landmarks.constructor.name,
        landmarks: Array.from(face.landmarks),
        blendshapes: Array.from(face.blendshapes),
        matrix: Array.from(face.matrix),
        box: face.box,
        pose: face.pose,
        luma: face.luma,
        screen: face.screen,
      };
    });
    expect(result.status).toBe('ok');
    if (!('faces' in result)) throw new Error('unreachable');
    expect(result.faces).toBe(1);
    expect(result.size).toEqual([512, 600]);
    expect(result.inferenceMs).toBeGreaterThan(0);
    expect(result.landmarksType).toBe('Float32Array');
    expect(result.landmarks).toHaveLength(478 * 3);
    expect(result.landmarks.every(Number.isFinite)).toBe(true);
    expect(result.blendshapes).toHaveLength(52);
    expect(result.blendshapes.every((s) => s >= 0 && s <= 1)).toBe(true);
    // Eyes open, mouth closed in the portrait.
    expect(result.blendshapes[9]).toBeLessThan(0.3);
    expect(result.blendshapes[10]).toBeLessThan(0.3);
    expect(result.blendshapes[25]).toBeLessThan(0.2);
    // The face sits in the upper middle of the portrait.
    expect(result.box.x).toBeGreaterThan(0.2);
    expect(result.box.x + result.box.width).toBeLessThan(0.8);
    expect(result.box.width).toBeGreaterThan(0.2);
    // The matrix places the face in front of the camera (column-major, translation z < 0).
    expect(result.matrix[14]).toBeLessThan(-10);
    // Brightness of the face region, measured in the worker: a well-lit face.
    expect(result.luma).toBeGreaterThan(60);
    expect(result.luma).toBeLessThan(230);
    // The screen (moiré) cue, measured in the worker on the face's pixels: no screen here.
    expect(result.screen).toBeGreaterThan(0);
    expect(result.screen).toBeLessThan(1.7);
    expect(Math.abs(result.pose.yaw)).toBeLessThan(10);
    expect(Math.abs(result.pose.pitch)).toBeLessThan(15);
    expect(Math.abs(result.pose.roll)).toBeLessThan(10);
  });

  it('reads a turn toward the image right as positive yaw, and its mirror image as negative', async () => {
    const poses = await h.page.evaluate(async () => {
      const out: Record<string, { yaw: number } | string> = {};
      let ts = 2000;
      for (const [name, kind, turn] of [
        ['turned', 'portrait', 35],
        ['turnedMirrored', 'mirror', 35],
        ['other', 'portrait', -35],
      ] as const) {
        const r = await window.vision.process(window.frameOf(kind, turn), (ts += 33));
        out[name] = r.status === 'ok' && r.observation.faces[0] ? r.observation.faces[0].pose : JSON.stringify(r);
      }
      return out;
    });
    const yaw = (name: string): number => {
      const pose = poses[name];
      if (typeof pose !== 'object') throw new Error(`${name}: ${pose}`);
      return pose.yaw;
    };
    expect(yaw('turned')).toBeGreaterThan(3);
    expect(yaw('turnedMirrored')).toBeLessThan(-3);
    expect(yaw('other')).toBeLessThan(-3);
  });

  it('finds no face in an empty image', async () => {
    const faces = await h.page.evaluate(async () => {
      const r = await window.vision.process(window.frameOf('blank'), 3000);
      return r.status === 'ok' ? r.observation.faces.length : JSON.stringify(r);
    });
    expect(faces).toBe(0);
  });

  it('takes VideoFrames as well as ImageBitmaps', async () => {
    const faces = await h.page.evaluate(async () => {
      const frame = new VideoFrame(window.frameOf('portrait'), { timestamp: 0 });
      const r = await window.vision.process(frame, 3100);
      return r.status === 'ok' ? r.observation.faces.length : JSON.stringify(r);
    });
    expect(faces).toBe(1);
  });

  it('answers bad calls with coded errors', async () => {
    const codes = await h.page.evaluate(async () => {
      const code = (r: ProcessResult): string => (r.status === 'error' ? r.error.code : r.status);
      const stale = await window.vision.process(window.frameOf('portrait'), 10);
      const closedFrame = window.frameOf('portrait');
      closedFrame.close();
      const closed = await window.vision.process(closedFrame, 5000);
      const { createVisionClient } = window.facepay.vision;
      const fresh = createVisionClient();
      const uninitialised = await fresh.process(window.frameOf('portrait'), 1);
      await fresh.close();
      const afterClose = await fresh.process(window.frameOf('portrait'), 2);
      return { stale: code(stale), closed: code(closed), uninitialised: code(uninitialised), afterClose: code(afterClose) };
    });
    expect(codes).toEqual({
      stale: 'timestamp-not-monotonic',
      closed: 'invalid-frame',
      uninitialised: 'not-initialized',
      afterClose: 'worker-closed',
    });
  });

  it('keeps at most one frame in flight under a flood of 300 frames, closing every one', async () => {
    const result = await h.page.evaluate(async () => {
      const before = await window.vision.stats();
      const frames: ImageBitmap[] = [];
      const pending: Array<Promise<ProcessResult>> = [];
      let maxInFlight = 0;
      let ts = 10_000;
      const template = window.frameOf('portrait');
      for (let i = 0; i < 300; i++) {
        const frame = await createImageBitmap(template);
        frames.push(frame);
        pending.push(window.vision.process(frame, (ts += 1)));
        maxInFlight = Math.max(maxInFlight, window.vision.busy ? 1 : 0);
      }
      const results = await Promise.all(pending);
      const after = await window.vision.stats();
      return {
        ok: results.filter((r) => r.status === 'ok').length,
        dropped: results.filter((r) => r.status === 'dropped').length,
        errors: results.filter((r) => r.status === 'error').map((r) => JSON.stringify(r)),
        maxInFlight,
        openFrames: frames.filter((f) => f.width !== 0).length,
        before,
        after,
      };
    });
    expect(result.errors).toEqual([]);
    expect(result.ok + result.dropped).toBe(300);
    expect(result.ok).toBeGreaterThan(0);
    expect(result.dropped).toBeGreaterThan(0);
    expect(result.maxInFlight).toBeLessThanOrEqual(1);
    expect(result.after.inFlight).toBe(0);
    expect(result.after.dropped - result.before.dropped).toBe(result.dropped);
    expect(result.after.sent - result.before.sent).toBe(result.ok);
    // Every frame was given up: transferred to the worker or closed on the page.
    expect(result.openFrames).toBe(0);
    // And the worker closed every frame it received.
    expect(result.after.worker!.closed).toBe(result.after.worker!.received);
  });
});

describe('privacy', () => {
  it('fetches nothing but its own assets: MediaPipe\'s usage logs to Google are refused in the worker', async () => {
    await h.page.evaluate(async () => {
      const { createVisionClient } = window.facepay.vision;
      const client = createVisionClient();
      await client.init({});
      await client.process(window.frameOf('portrait'), 50);
      await client.close();
    });
    // MediaPipe flushes its log on close; give the (refused) request time to show up.
    await new Promise((done) => setTimeout(done, 500));
    const foreign = requested.filter((url) => !url.startsWith(h.server.url) && !url.startsWith(badAssets.url) && !url.startsWith('blob:') && !url.startsWith('data:'));
    expect(foreign).toEqual([]);
  });
});

describe('asset and worker failures end in coded errors, not hangs', () => {
  const initWith = (options: Record<string, unknown>, workerUrl?: string): Promise<InitResult> =>
    h.page.evaluate(
      async ({ options, workerUrl }) => {
        const { createVisionClient } = window.facepay.vision;
        const client = createVisionClient(workerUrl ? { workerUrl } : {});
        const result = await client.init(options);
        await client.close();
        return result;
      },
      { options, workerUrl },
    );

  it('reports a corrupt model as asset-corrupt, naming the file', async () => {
    const result = await initWith({ modelUrl: `${badAssets.url}/corrupt.task` });
    expect(result).toMatchObject({ ok: false, error: { code: 'asset-corrupt', file: `${badAssets.url}/corrupt.task` } });
  });

  it('reports a model MediaPipe cannot read as model-load-failed when its hash is vouched for', async () => {
    const hash = await h.page.evaluate(async (url) => {
      const bytes = await (await fetch(url)).arrayBuffer();
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
      return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
    }, `${badAssets.url}/garbage.task`);
    const result = await initWith({ modelUrl: `${badAssets.url}/garbage.task`, modelSha256: hash, timeoutMs: 20_000 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(['model-load-failed', 'init-timeout']).toContain(result.error.code);
  });

  it('reports a missing model and missing wasm as asset-missing, naming the file', async () => {
    const model = await initWith({ modelUrl: `${badAssets.url}/nope.task` });
    expect(model).toMatchObject({ ok: false, error: { code: 'asset-missing', file: `${badAssets.url}/nope.task` } });
    const wasm = await initWith({ wasmBaseUrl: `${badAssets.url}/wasm/` });
    expect(wasm).toMatchObject({ ok: false, error: { code: 'asset-missing' } });
    expect((wasm as { error: { file: string } }).error.file).toMatch(/^http.*\/wasm\/vision_wasm_module_internal\./);
  });

  it('reports a worker that cannot start as worker-crashed', async () => {
    const result = await initWith({}, '/packages/vision/dist/no-such-worker.js');
    expect(result).toMatchObject({ ok: false, error: { code: 'worker-crashed' } });
  });
});

describe('createFaceEngine on the page itself (@facepay/vision/main-thread)', () => {
  it('loads the module build of the wasm on a page, for more than one engine, and finds the face', async () => {
    await h.page.addScriptTag({
      type: 'module',
      content: "import { createFaceEngine } from '@facepay/vision/main-thread'; window.createFaceEngine = createFaceEngine;",
    });
    await h.page.waitForFunction(() => 'createFaceEngine' in window);
    const result = await h.page.evaluate(async () => {
      const assets = { wasmBaseUrl: '/packages/vision/dist/wasm/', modelUrl: '/packages/vision/dist/models/face_landmarker.task' };
      // MediaPipe clears the loader it used: a second engine must still find one.
      const engines = [await window.createFaceEngine(assets), await window.createFaceEngine(assets)];
      const faces = engines.map((engine) => {
        const frame = window.frameOf('portrait');
        const observation = engine.detect(frame, 1000);
        frame.close();
        engine.close();
        return observation.faces.length;
      });
      return { faces, delegate: engines[0]!.delegate };
    });
    expect(result.faces, h.console.join('\n')).toEqual([1, 1]);
    expect(h.console.filter((line) => line.startsWith('[pageerror]'))).toEqual([]);
  });
});
