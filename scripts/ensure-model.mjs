#!/usr/bin/env node
// Puts the Face Landmarker model where the vision worker looks for it by default
// (packages/vision/dist/models/), from, in order: $FACEPAY_MODEL_PATH, ../shared/models/,
// the user cache, or the official URL. The sha256 is checked whatever the source; the model
// is never committed.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MODEL = {
  file: 'face_landmarker.task',
  sha256: '64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff',
  url: 'https://storage.googleapis.com/mediapipe-models/face_landmarker/face_landmarker/float16/1/face_landmarker.task',
};

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cacheFile = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'facepay', 'models', MODEL.file);

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

async function fromFile(path) {
  if (!existsSync(path)) return undefined;
  const bytes = await readFile(path);
  if (sha256(bytes) !== MODEL.sha256) throw new Error(`${path}: sha256 mismatch (asset-corrupt), expected ${MODEL.sha256}`);
  return bytes;
}

async function download() {
  const response = await fetch(MODEL.url);
  if (!response.ok) throw new Error(`${MODEL.url}: HTTP ${response.status} (asset-missing)`);
  const bytes = Buffer.from(await response.arrayBuffer());
  if (sha256(bytes) !== MODEL.sha256) throw new Error(`${MODEL.url}: sha256 mismatch (asset-corrupt)`);
  await mkdir(dirname(cacheFile), { recursive: true });
  await writeFile(`${cacheFile}.tmp`, bytes);
  await rename(`${cacheFile}.tmp`, cacheFile);
  return bytes;
}

/** Resolves the model to a local, verified file and returns its path. */
export async function ensureModel() {
  const candidates = [process.env.FACEPAY_MODEL_PATH, join(root, '..', 'shared', 'models', MODEL.file), cacheFile].filter(Boolean);
  let bytes;
  let source;
  for (const path of candidates) {
    bytes = await fromFile(path);
    if (bytes) {
      source = path;
      break;
    }
  }
  if (!bytes) {
    bytes = await download();
    source = MODEL.url;
  }
  // Beside each built copy of the vision worker, where it looks by default.
  const targets = ['vision', 'element'].map((pkg) => join(root, 'packages', pkg, 'dist', 'models', MODEL.file));
  for (const target of targets) {
    if (!existsSync(dirname(dirname(target)))) continue;
    const current = existsSync(target) ? sha256(await readFile(target)) : undefined;
    if (current === MODEL.sha256) continue;
    await mkdir(dirname(target), { recursive: true });
    if (source === MODEL.url) await writeFile(target, bytes);
    else await copyFile(source, target);
  }
  return { path: targets[0], source };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const { path, source } = await ensureModel();
    console.log(`model: ${path} (from ${source}, sha256 ok)`);
  } catch (error) {
    console.error(`facepay: could not provide the face model: ${error.message}`);
    process.exit(1);
  }
}
