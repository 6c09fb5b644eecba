#!/usr/bin/env node
// Writes packages/element/dist/integrity.json: the SRI hash (sha384) of every file the
// script-tag build loads (the worker's lazily loaded match chunk included), so a merchant
// hosting them can pin each one.
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

const dist = join(import.meta.dirname, '..', 'packages', 'element', 'dist');
const served = /^(facepay\.js|vision\.worker(-[a-z]+)?\.js|wasm\/.*|models\/.*)$/;

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

const files = {};
for await (const path of walk(dist)) {
  const name = relative(dist, path).split('\\').join('/');
  if (!served.test(name)) continue;
  files[name] = `sha384-${createHash('sha384').update(await readFile(path)).digest('base64')}`;
}
const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)));
await writeFile(join(dist, 'integrity.json'), `${JSON.stringify({ files: sorted }, null, 2)}\n`);
console.log(`integrity: ${Object.keys(sorted).length} files in packages/element/dist/integrity.json`);
