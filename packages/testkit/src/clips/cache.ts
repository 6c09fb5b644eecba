import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLIP_SPECS } from './clip-set.js';
import type { ClipManifest } from './manifest.js';
import { FACES, ROOT } from '../paths.js';
import { SUBJECTS } from './subjects.js';
import { timeline, type ClipSpec } from './timeline.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The model the portraits are landmarked with: a new model gives new rigs. */
export const MODEL_FILE = join(ROOT, 'packages', 'vision', 'dist', 'models', 'face_landmarker.task');

export type ClipFormat = 'y4m' | 'mjpeg';

/** `$XDG_CACHE_HOME/facepay/clips` (default `~/.cache/facepay/clips`): outside the clone, shared by its worktrees. */
export function clipsCacheRoot(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'facepay', 'clips');
}

let cachedKey: string | undefined;

/** Files of this folder that check or report on clips but do not shape them. */
const NOT_GENERATOR = /(\.test\.ts|[\\/]signals\.ts|[\\/]cli\.ts)$/;

/**
 * Names the generator's output: a hash of its source files (this folder, minus tests and
 * analysis), the portraits, the face model and MediaPipe's version. Any change there means
 * new clips.
 */
export function generatorKey(): string {
  if (cachedKey) return cachedKey;
  const hash = createHash('sha256');
  const files = listFiles(HERE).filter((f) => !NOT_GENERATOR.test(f));
  for (const file of files) {
    hash.update(relative(HERE, file).replaceAll('\\', '/')).update('\0').update(readFileSync(file)).update('\0');
  }
  for (const subject of Object.values(SUBJECTS)) hash.update(readFileSync(join(FACES, subject.file)));
  if (!existsSync(MODEL_FILE)) throw new Error(`${MODEL_FILE} is missing: run \`pnpm build\` first`);
  hash.update(readFileSync(MODEL_FILE));
  const vision = JSON.parse(readFileSync(join(ROOT, 'packages', 'vision', 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  hash.update(vision.dependencies['@mediapipe/tasks-vision'] ?? '');
  cachedKey = hash.digest('hex').slice(0, 16);
  return cachedKey;
}

/** The folder holding the current generator's clips. */
export function clipsDir(): string {
  return join(clipsCacheRoot(), generatorKey());
}

export function clipSpec(name: string): ClipSpec {
  const spec = CLIP_SPECS.find((s) => s.name === name);
  if (!spec) throw new TypeError(`No clip named "${name}"; clips: ${CLIP_SPECS.map((s) => s.name).join(', ')}`);
  return spec;
}

/** Path of a clip file for Chromium's fake camera. Exists once `ensureClips()` has resolved. */
export function clipPath(name: string, format: ClipFormat = 'y4m'): string {
  clipSpec(name);
  return join(clipsDir(), `${name}.${format}`);
}

/** A clip's manifest. It follows from the generator's source alone, so it needs no generated files. */
export function clipManifest(name: string): ClipManifest {
  const { plans: _plans, ...manifest } = timeline(clipSpec(name));
  return { ...manifest, files: { y4m: `${name}.y4m`, mjpeg: `${name}.mjpeg` } };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => (entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)]));
}
