import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { openHarness } from '../harness.js';
import { ROOT } from '../paths.js';
import { clipManifest, clipsDir, type ClipFormat } from './cache.js';
import { CLIP_SPECS } from './clip-set.js';
import type { ClipManifest } from './manifest.js';
import type { ClipPage } from './page/main.js';
import { FRAME_HEIGHT, FRAME_WIDTH, FPS, type SubjectSource } from './plan.js';
import { seedOf } from './prng.js';
import { FACE_WIDTH, SUBJECTS } from './subjects.js';
import { timeline, type ClipSpec } from './timeline.js';
import { readY4m, Y4mWriter, type Y4mClip } from './y4m.js';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));

export interface ClipSet {
  /** The cache folder of this generator version. */
  dir: string;
  clips: Record<string, ClipManifest>;
  /** Paths of a clip's files. */
  path(name: string, format?: ClipFormat): string;
}

export interface EnsureClipsOptions {
  /** Regenerate even when the cache has the clips. */
  force?: boolean;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** The index written last into a complete clip folder. */
interface ClipIndex {
  key: string;
  clips: ClipManifest[];
  timings: { prepareMs: number; totalMs: number; clips: Record<string, number> };
}

/**
 * Makes sure every test clip exists in the cache (generating them, about a minute, when
 * the generator or its inputs changed) and describes them. Needs `pnpm build` (the vision
 * worker and the model), Debian's Chromium and ffmpeg.
 */
export async function ensureClips(options: EnsureClipsOptions = {}): Promise<ClipSet> {
  const dir = clipsDir();
  const log = options.log ?? (() => {});
  if (options.force) rmSync(dir, { recursive: true, force: true });
  if (!existsSync(join(dir, 'clips.json'))) {
    const lock = `${dir}.lock`;
    mkdirSync(dirname(dir), { recursive: true });
    if (takeLock(lock)) {
      try {
        if (!existsSync(join(dir, 'clips.json'))) await generate(dir, log);
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
    } else {
      log(`another process is generating clips into ${dir}; waiting`);
      await waitFor(join(dir, 'clips.json'), lock);
    }
  }
  const index = JSON.parse(readFileSync(join(dir, 'clips.json'), 'utf8')) as ClipIndex;
  return {
    dir,
    clips: Object.fromEntries(index.clips.map((m) => [m.name, m])),
    path: (name, format = 'y4m') => {
      if (!index.clips.some((m) => m.name === name)) throw new TypeError(`No clip named "${name}"`);
      return join(dir, `${name}.${format}`);
    },
  };
}

/** The timings of the run that generated the current clips. */
export function generationTimings(): ClipIndex['timings'] {
  return (JSON.parse(readFileSync(join(clipsDir(), 'clips.json'), 'utf8')) as ClipIndex).timings;
}

/** A lock is a folder (mkdir is atomic); one left by a crashed run goes stale after 20 minutes. */
function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch {
    const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0);
    if (age < 20 * 60_000) return false;
    rmSync(lock, { recursive: true, force: true });
    return takeLock(lock);
  }
}

async function waitFor(file: string, lock: string): Promise<void> {
  while (!existsSync(file)) {
    if (!existsSync(lock)) throw new Error(`The process generating the clips stopped without finishing (${file})`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Generates into a folder beside `dir` and renames it when complete, so readers never see half a set. */
async function generate(dir: string, log: (line: string) => void): Promise<void> {
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  let timings: ClipIndex['timings'];
  try {
    timings = await renderClips(CLIP_SPECS, partial, log);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  }
  const index: ClipIndex = { key: dir.split(/[\\/]/).at(-1)!, clips: CLIP_SPECS.map((s) => clipManifest(s.name)), timings };
  writeFileSync(join(partial, 'clips.json'), `${JSON.stringify(index, null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  log(`${CLIP_SPECS.length} clips in ${dir} (${timings.totalMs} ms)`);
}

/**
 * Renders clips into `out`: `<name>.y4m`, `<name>.mjpeg` and `<name>.json` (the manifest)
 * each. One Chromium, one page: the portraits are landmarked once for all clips.
 */
export async function renderClips(
  specs: readonly ClipSpec[],
  out: string,
  log: (line: string) => void = () => {},
): Promise<ClipIndex['timings']> {
  const started = performance.now();
  for (const file of ['vision.worker.js', 'models/face_landmarker.task']) {
    if (!existsSync(join(ROOT, 'packages', 'vision', 'dist', file))) throw new Error(`packages/vision/dist/${file} is missing: run \`pnpm build\` first`);
  }

  const page = await build({
    entryPoints: [join(HERE, 'page', 'main.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
    platform: 'browser',
    logLevel: 'silent',
  });

  // Frames arrive as POSTs of I420 bytes, one request per frame, in order; a screen asks
  // for the frames of a clip made before it with GETs.
  let writer: Y4mWriter | undefined;
  let shown: { name: string; clip: Y4mClip } | undefined;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const match = /^\/__clips\/([a-z0-9-]+)\/(\d+)$/.exec(req.url ?? '');
    if (!match) return false;
    const [, name, frame] = match as unknown as [string, string, string];
    if (req.method === 'GET') {
      if (shown?.name !== name) shown = { name, clip: await readY4m(join(out, `${name}.y4m`)) };
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(shown.clip.frame(Number(frame)));
      return true;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (!writer || Number(frame) !== writer.count) {
      res.writeHead(409).end(`unexpected frame ${frame}`);
      return true;
    }
    writer.write(Buffer.concat(chunks));
    res.writeHead(204).end();
    return true;
  };

  const harness = await openHarness({ server: { handle }, launch: { args: ['--enable-unsafe-swiftshader'] } });
  const timings: ClipIndex['timings'] = { prepareMs: 0, totalMs: 0, clips: {} };
  let encoding: Promise<unknown> = Promise.resolve();
  try {
    await harness.page.addScriptTag({ content: page.outputFiles[0]!.text });
    const subjects: SubjectSource[] = Object.entries(SUBJECTS).map(([id, s]) => ({
      id,
      url: `/__shared/faces/${s.file}`,
      faceWidth: FACE_WIDTH,
    }));
    const prepared = await harness.page.evaluate(
      ([sources, seed]) => (window as unknown as { facepayClips: ClipPage }).facepayClips.prepare(sources, seed),
      [subjects, seedOf('room')] as const,
    );
    timings.prepareMs = Math.round(prepared.ms);
    log(`portraits landmarked and rigged in ${timings.prepareMs} ms`);

    for (const spec of specs) {
      const start = performance.now();
      const { plans } = timeline(spec);
      const y4m = join(out, `${spec.name}.y4m`);
      writer = new Y4mWriter(y4m, FRAME_WIDTH, FRAME_HEIGHT, FPS);
      try {
        await harness.page.evaluate(
          ([frames, name]) => (window as unknown as { facepayClips: ClipPage }).facepayClips.render(frames, '/__clips', name),
          [plans, spec.name] as const,
        );
      } finally {
        writer.close();
      }
      if (writer.count !== plans.length) throw new Error(`${spec.name}: ${writer.count} of ${plans.length} frames written`);
      writeFileSync(join(out, `${spec.name}.json`), `${JSON.stringify(clipManifest(spec.name), null, 2)}\n`);
      // The MJPEG copy encodes while the next clip renders.
      encoding = encoding.then(() => toMjpeg(y4m, join(out, `${spec.name}.mjpeg`)));
      timings.clips[spec.name] = Math.round(performance.now() - start);
      log(`${spec.name}: ${plans.length} frames in ${timings.clips[spec.name]} ms`);
    }
    await encoding;
  } catch (error) {
    await encoding.catch(() => {});
    throw new Error(`Clip generation failed: ${String(error)}\n${harness.console.join('\n')}`, { cause: error });
  } finally {
    await harness.close();
  }
  timings.totalMs = Math.round(performance.now() - started);
  return timings;
}

/** Concatenated JPEGs, the other format Chromium's fake camera plays (at 30 fps). */
async function toMjpeg(y4m: string, mjpeg: string): Promise<void> {
  try {
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'yuv4mpegpipe', '-i', y4m, '-c:v', 'mjpeg', '-q:v', '3', '-f', 'mjpeg', mjpeg]);
  } catch (error) {
    throw new Error(`ffmpeg could not write ${mjpeg} (apt-get install -y ffmpeg): ${String(error)}`, { cause: error });
  }
}
