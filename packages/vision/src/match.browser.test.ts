import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosineSimilarity, CROP_CONSISTENCY_THRESHOLD, decodeCrop, loadNodeEmbedder, MATCH_THRESHOLD, type FaceEmbedder } from '@facepay/face/node';
import { openHarness, ROOT, startStaticServer, type Harness, type StaticServer } from '@facepay/testkit';
import type * as vision from './index.js';
import type { PrepareMatchResult } from './index.js';

// Face matching in the built worker (dist/) with the real FaceRes in Debian's Chromium, and
// the Node embedder the server runs on the crops the worker sends.

type Page = Window & { facepay: { vision: typeof vision }; portraits: Record<string, ImageBitmap> };

/** What one `process(…, { match })` gave, made serialisable. */
interface Matched {
  status: string;
  faces: number;
  match?: { ok: true; template: number[]; templateType: string; crop?: number[]; ms: number } | { ok: false; error: { code: string; message: string } };
}

let h: Harness;
let badAssets: StaticServer;
let tmp: string;
let node: FaceEmbedder;
const requested: string[] = [];

beforeAll(async () => {
  h = await openHarness();
  h.page.on('request', (request) => requested.push(request.url()));
  tmp = await mkdtemp(join(tmpdir(), 'facepay-match-'));
  const weights = await readFile(join(ROOT, 'packages/vision/dist/models/faceres.bin'));
  await writeFile(join(tmp, 'faceres.json'), await readFile(join(ROOT, 'packages/vision/dist/models/faceres.json')));
  const flipped = Buffer.from(weights);
  flipped[5000] = flipped[5000]! ^ 0xff;
  await writeFile(join(tmp, 'faceres.bin'), flipped);
  badAssets = await startStaticServer({ mounts: { '/corrupt/': tmp, '/empty/': join(tmp, 'none') }, headers: { 'access-control-allow-origin': '*' } });
  node = await loadNodeEmbedder();
  await h.page.evaluate(async () => {
    const page = window as unknown as Page;
    page.portraits = {};
    for (const name of ['grace_hopper.jpg', 'xmorph-ad-1.png']) {
      page.portraits[name] = await createImageBitmap(await (await fetch(`/__shared/faces/${name}`)).blob());
    }
  });
});

afterAll(async () => {
  await rm(join(ROOT, 'packages/vision/dist/test-renamed'), { recursive: true, force: true });
  node?.dispose();
  await h?.close();
  await badAssets?.close();
  await rm(tmp, { recursive: true, force: true });
});

/** A fresh worker: init, then (unless told not to) prepareMatch, then each frame with `options`. */
function session(
  frames: Array<'grace_hopper.jpg' | 'xmorph-ad-1.png' | 'blank'>,
  options: { prepare?: Record<string, unknown> | false; match?: { crop?: boolean } | undefined; workerUrl?: string },
) {
  return h.page.evaluate(
    async ({ frames, options }) => {
      const page = window as unknown as Page;
      const client = page.facepay.vision.createVisionClient(options.workerUrl ? { workerUrl: options.workerUrl } : {});
      const init = frames.length ? await client.init({}) : undefined;
      const prepared = options.prepare === false ? undefined : await client.prepareMatch(options.prepare ?? {});
      const results: Matched[] = [];
      let t = 100;
      for (const name of frames) {
        let frame: ImageBitmap;
        if (name === 'blank') {
          const canvas = new OffscreenCanvas(320, 240);
          canvas.getContext('2d')!.fillRect(0, 0, 320, 240);
          frame = canvas.transferToImageBitmap();
        } else {
          frame = await createImageBitmap(page.portraits[name]!);
        }
        const r = await client.process(frame, (t += 100), options.match ? { match: options.match } : undefined);
        if (r.status !== 'ok') {
          results.push({ status: r.status, faces: 0 });
          continue;
        }
        const m = r.match;
        results.push({
          status: r.status,
          faces: r.observation.faces.length,
          ...(m
            ? {
                match: m.ok
                  ? {
                      ok: true as const,
                      template: Array.from(m.template),
                      templateType: m.template.constructor.name,
                      ...(m.crop ? { crop: Array.from(m.crop) } : {}),
                      ms: m.ms,
                    }
                  : m,
              }
            : {}),
        });
      }
      const stats = await client.stats();
      await client.close();
      return { init, prepared, results, stats };
    },
    { frames, options },
  );
}

describe('face matching in the vision worker', () => {
  let grace: Matched;
  let xmorph: Matched;
  let prepared: PrepareMatchResult | undefined;

  it('prepares once and returns a 1024-value template and a JPEG crop of the one face', async () => {
    const run = await session(['grace_hopper.jpg', 'xmorph-ad-1.png'], { match: { crop: true } });
    expect(run.init?.ok, h.console.join('\n')).toBe(true);
    prepared = run.prepared;
    expect(prepared, h.console.join('\n')).toMatchObject({ ok: true });
    [grace, xmorph] = run.results as [Matched, Matched];
    for (const result of [grace, xmorph]) {
      expect(result.faces).toBe(1);
      expect(result.match, JSON.stringify(result.match)).toMatchObject({ ok: true, templateType: 'Float32Array' });
      if (!result.match?.ok) throw new Error('unreachable');
      expect(result.match.template).toHaveLength(1024);
      expect(Math.hypot(...result.match.template)).toBeCloseTo(1, 4);
      expect(result.match.ms).toBeGreaterThan(0);
      const bytes = Buffer.from(result.match.crop!);
      expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8]);
      // As the evidence carries it: base64, within the size the server accepts.
      const decoded = decodeCrop(bytes.toString('base64'));
      expect([decoded.width, decoded.height]).toEqual([224, 224]);
    }
    // The same face twice in one session stays one person; the other is not.
    if (!grace.match?.ok || !xmorph.match?.ok) throw new Error('unreachable');
    expect(cosineSimilarity(grace.match.template, xmorph.match.template)).toBeLessThan(MATCH_THRESHOLD);
    expect(run.stats.worker?.blockedRequests).toBe(0);
  });

  it('keeps crops during a session and embeds them later, each its own (same templates as on the spot)', async () => {
    expect(grace.match?.ok && xmorph.match?.ok).toBe(true);
    if (!grace.match?.ok || !xmorph.match?.ok) throw new Error('unreachable');
    const run = await h.page.evaluate(async (max) => {
      const page = window as unknown as Page;
      const client = page.facepay.vision.createVisionClient();
      await client.init({});
      await client.prepareMatch();
      const kept: number[] = [];
      const evicted: number[] = [];
      let t = 100;
      // Grace, the bearded man (pinned with the next frame), then enough more of the man to push crops out.
      const order = ['grace_hopper.jpg', 'xmorph-ad-1.png', ...Array.from({ length: max }, () => 'xmorph-ad-1.png')];
      for (const [i, name] of order.entries()) {
        const r = await client.process(await createImageBitmap(page.portraits[name]!), (t += 100), { keep: true, ...(i === 2 && { pin: [kept[1]!] }) });
        if (r.status === 'ok' && r.kept?.ok) {
          kept.push(r.kept.id);
          if (r.kept.evicted !== undefined) evicted.push(r.kept.evicted);
        }
      }
      const embedded = await client.embedKept([kept[0]!, kept[1]!, kept[2]!, kept.at(-1)!], { crop: true });
      const again = await client.embedKept([kept[0]!]);
      await client.close();
      const simple = (e: typeof embedded) =>
        e.ok ? { ok: true, missing: e.missing, matches: e.matches.map((m) => ({ id: m.id, template: Array.from(m.template), crop: m.crop?.length ?? 0 })) } : e;
      return { kept, evicted, embedded: simple(embedded), again: simple(again) };
    }, 24);
    expect(run.kept).toHaveLength(26);
    // The first, the pinned and the latest stay; the oldest other one went when the 25th came, and was reported.
    expect(run.evicted).toEqual([run.kept[2], run.kept[3]]);
    expect(run.embedded).toMatchObject({ ok: true, missing: [run.kept[2]] });
    if (!run.embedded.ok || !('matches' in run.embedded)) throw new Error('unreachable');
    const [first, pinned, last] = run.embedded.matches as Array<{ id: number; template: number[]; crop: number }>;
    expect([first!.id, pinned!.id, last!.id]).toEqual([run.kept[0], run.kept[1], run.kept.at(-1)]);
    expect(cosineSimilarity(pinned!.template, xmorph.match.template)).toBeGreaterThan(0.99);
    expect(first!.crop).toBeGreaterThan(1000);
    expect(cosineSimilarity(first!.template, grace.match.template)).toBeGreaterThan(0.99);
    expect(cosineSimilarity(last!.template, xmorph.match.template)).toBeGreaterThan(0.99);
    // Embedding forgets every kept crop.
    expect(run.again).toMatchObject({ ok: true, matches: [], missing: [run.kept[0]] });
  });

  it("agrees with the Node embedder on the crop it sent (the server's frames-mode check)", async () => {
    if (!grace.match?.ok || !xmorph.match?.ok) throw new Error('the previous test found no templates');
    for (const [own, other] of [
      [grace.match, xmorph.match],
      [xmorph.match, grace.match],
    ] as const) {
      const server = await node.embed(decodeCrop(Buffer.from(own.crop!).toString('base64')));
      expect(cosineSimilarity(own.template, server)).toBeGreaterThanOrEqual(CROP_CONSISTENCY_THRESHOLD);
      // A template forged from another face does not pass as this crop's.
      expect(cosineSimilarity(other.template, server)).toBeLessThan(CROP_CONSISTENCY_THRESHOLD);
    }
  });

  it('adds no match without the option, with no face, and no crop unless asked', async () => {
    const run = await session(['grace_hopper.jpg', 'blank'], { match: { crop: false } });
    expect(run.results[0]!.match).toMatchObject({ ok: true });
    expect(run.results[0]!.match).not.toHaveProperty('crop');
    expect(run.results[1]).toMatchObject({ status: 'ok', faces: 0 });
    expect(run.results[1]).not.toHaveProperty('match');
    const plain = await session(['grace_hopper.jpg'], { match: undefined });
    expect(plain.results[0]).toMatchObject({ status: 'ok', faces: 1 });
    expect(plain.results[0]).not.toHaveProperty('match');
  });

  it('answers a match asked for before prepareMatch with not-initialized, and loads nothing for it', async () => {
    const before = requested.length;
    const run = await session(['grace_hopper.jpg'], { prepare: false, match: { crop: true } });
    expect(run.results[0]).toMatchObject({ status: 'ok', faces: 1, match: { ok: false, error: { code: 'not-initialized' } } });
    // A session that never prepares matching never downloads TensorFlow.js or FaceRes.
    const loaded = requested.slice(before).filter((url) => /vision\.worker-match|faceres|tfjs-backend-wasm/.test(url));
    expect(loaded).toEqual([]);
  });
});

describe('face matching assets end in coded errors, not hangs', () => {
  it('reports corrupt weights as asset-corrupt, naming the file', async () => {
    const run = await session([], { prepare: { modelBaseUrl: `${badAssets.url}/corrupt/` } });
    expect(run.prepared).toMatchObject({ ok: false, error: { code: 'asset-corrupt', file: `${badAssets.url}/corrupt/faceres.bin` } });
  });

  it('reports missing model files and missing wasm as asset-missing', async () => {
    const model = await session([], { prepare: { modelBaseUrl: `${badAssets.url}/empty/` } });
    expect(model.prepared).toMatchObject({ ok: false, error: { code: 'asset-missing' } });
    const wasm = await session([], { prepare: { wasmBaseUrl: `${badAssets.url}/empty/` } });
    expect(wasm.prepared).toMatchObject({ ok: false, error: { code: 'asset-missing' } });
    expect((wasm.prepared as { error: { file: string } }).error.file).toMatch(/tfjs-backend-wasm/);
  });

  it('finds the matching file beside a renamed worker (bundlers hash names), and says asset-missing without it', async () => {
    const dir = join(ROOT, 'packages/vision/dist/test-renamed');
    await mkdir(join(dir, 'alone'), { recursive: true });
    await copyFile(join(ROOT, 'packages/vision/dist/vision.worker.js'), join(dir, 'vision.worker-3f9a1c.js'));
    await copyFile(join(ROOT, 'packages/vision/dist/vision.worker-match.js'), join(dir, 'vision.worker-match.js'));
    await copyFile(join(ROOT, 'packages/vision/dist/vision.worker.js'), join(dir, 'alone', 'vision.worker.js'));
    const assets = { modelBaseUrl: '/packages/vision/dist/models/', wasmBaseUrl: '/packages/vision/dist/wasm/' };
    const renamed = await session([], { prepare: assets, workerUrl: '/packages/vision/dist/test-renamed/vision.worker-3f9a1c.js' });
    expect(renamed.prepared, h.console.join('\n')).toMatchObject({ ok: true });
    const alone = await session([], { prepare: assets, workerUrl: '/packages/vision/dist/test-renamed/alone/vision.worker.js' });
    expect(alone.prepared).toMatchObject({ ok: false, error: { code: 'asset-missing' } });
    expect((alone.prepared as { error: { file: string } }).error.file).toMatch(/\/test-renamed\/alone\/vision\.worker-match\.js$/);
  });

  it('reports files that pass their hashes but are no model as model-load-failed', async () => {
    const sha = async (path: string): Promise<string> => Buffer.from(await crypto.subtle.digest('SHA-256', await readFile(path))).toString('hex');
    // A topology that is not a model, with both files' hashes vouched for.
    await writeFile(join(tmp, 'faceres.json'), '{"modelTopology": {"node": [{"name": "x", "op": "NoSuchOp"}]}, "weightsManifest": [{"weights": []}]}');
    const modelSha256 = { topology: await sha(join(tmp, 'faceres.json')), weights: await sha(join(tmp, 'faceres.bin')) };
    const run = await session([], { prepare: { modelBaseUrl: `${badAssets.url}/corrupt/`, modelSha256 } });
    expect(run.prepared).toMatchObject({ ok: false, error: { code: 'model-load-failed' } });
  });
});
