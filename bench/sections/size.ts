import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type BuildOptions } from 'esbuild';
import { ROOT } from '@facepay/testkit';
import { single } from '../rows.js';
import type { Row } from '../results.js';

const ELEMENT = join(ROOT, 'packages/element');
const VISION = join(ROOT, 'packages/vision');

/** gzip -9, the figure CDNs and bundle-size tools quote. */
const gzip = (bytes: Uint8Array): number => gzipSync(bytes, { level: 9 }).length;

/** Raw and gzipped bytes of files fetched one by one (so gzipped one by one). */
async function fileBytes(paths: string[]): Promise<{ raw: number; packed: number }> {
  let raw = 0;
  let packed = 0;
  for (const path of paths) {
    const bytes = await readFile(path);
    raw += bytes.length;
    packed += gzip(bytes);
  }
  return { raw, packed };
}

export async function fileRow(key: string, label: string, paths: string[]): Promise<Row> {
  const { raw, packed } = await fileBytes(paths);
  const files = paths.length > 1 ? `${paths.length} files, ` : '';
  return single(key, label, 'bytes', packed, `${files}${raw.toLocaleString('en')} B raw; gzip -9 per file`);
}

async function bundle(options: BuildOptions): Promise<Uint8Array> {
  const result = await build({ ...options, bundle: true, write: false, minify: true, format: 'esm', target: 'es2022', platform: 'browser', logLevel: 'error' });
  return result.outputFiles![0]!.contents;
}

async function bundleRow(key: string, label: string, options: BuildOptions, note: string): Promise<Row> {
  const bytes = await bundle(options);
  return single(key, label, 'bytes', gzip(bytes), `${bytes.length.toLocaleString('en')} B minified; ${note}`);
}

/** The worker bundled from source with and without `@mediapipe/tasks-vision`: the difference is MediaPipe's. */
async function mediapipeShare(): Promise<Row> {
  const worker = { entryPoints: [join(VISION, 'src/vision.worker.ts')], absWorkingDir: VISION };
  const whole = gzip(await bundle(worker));
  const ours = gzip(await bundle({ ...worker, external: ['@mediapipe/tasks-vision'] }));
  return single('worker-mediapipe', 'of the worker: @mediapipe/tasks-vision JS', 'bytes', whole - ours, `the rest, ${ours.toLocaleString('en')} B, is ours + comlink (esbuild, from source)`);
}

/** The element's own dist files the npm entry loads: the entry and the chunks it imports. */
async function npmEntryFiles(): Promise<string[]> {
  const result = await build({
    entryPoints: [join(ELEMENT, 'dist/index.js')],
    bundle: true,
    write: false,
    packages: 'external',
    metafile: true,
    logLevel: 'error',
  });
  return Object.keys(result.metafile!.inputs).map((path) => join(ROOT, path));
}

/**
 * Bytes over the wire (gzip), built output as shipped. MediaPipe's share is reported on
 * its own: the loader, the wasm, the model, and what `@mediapipe/tasks-vision` adds to the
 * worker script (the worker bundled with and without it).
 */
export async function run(): Promise<Row[]> {
  const wasm = join(ELEMENT, 'dist/wasm');
  const entryFiles = await npmEntryFiles();
  return [
    await fileRow('script-tag', 'script-tag bundle dist/facepay.js (excl. worker and MediaPipe)', [join(ELEMENT, 'dist/facepay.js')]),
    await fileRow(
      'npm-entry',
      `npm entry dist/index.js and its chunks, dependencies excluded (${entryFiles.map((p) => relative(ELEMENT, p)).join(', ')})`,
      entryFiles,
    ),
    await bundleRow(
      'npm-entry-bundled',
      'npm entry with its dependencies bundled (lit, comlink, valibot, liveness, protocol, vision client)',
      { entryPoints: [join(ELEMENT, 'dist/index.js')], absWorkingDir: ELEMENT },
      'esbuild --bundle --minify, as a merchant bundler would',
    ),
    await fileRow('worker', 'vision worker dist/vision.worker.js', [join(ELEMENT, 'dist/vision.worker.js')]),
    await mediapipeShare(),
    await fileRow('mediapipe-loader', 'MediaPipe wasm loader (vision_wasm_module_internal.js)', [join(wasm, 'vision_wasm_module_internal.js')]),
    await fileRow('mediapipe-wasm', 'MediaPipe wasm (vision_wasm_module_internal.wasm)', [join(wasm, 'vision_wasm_module_internal.wasm')]),
    await fileRow('model', 'Face Landmarker model (face_landmarker.task, float16)', [join(ELEMENT, 'dist/models/face_landmarker.task')]),
    await fileRow('match-chunk', 'face matching dist/vision.worker-match.js (TensorFlow.js, FaceRes glue), imported by prepareMatch()', [
      join(ELEMENT, 'dist/vision.worker-match.js'),
    ]),
    await fileRow('match-wasm', 'TensorFlow.js wasm backend (tfjs-backend-wasm-simd.wasm; the plain one where SIMD is missing)', [
      join(wasm, 'tfjs-backend-wasm-simd.wasm'),
    ]),
    await fileRow('match-model', 'FaceRes model (faceres.json, faceres.bin)', [join(ELEMENT, 'dist/models/faceres.json'), join(ELEMENT, 'dist/models/faceres.bin')]),
    await fileRow('first-visit-total', 'everything a first visit downloads (script tag, worker, wasm, model)', [
      join(ELEMENT, 'dist/facepay.js'),
      join(ELEMENT, 'dist/vision.worker.js'),
      join(wasm, 'vision_wasm_module_internal.js'),
      join(wasm, 'vision_wasm_module_internal.wasm'),
      join(ELEMENT, 'dist/models/face_landmarker.task'),
    ]),
  ];
}
