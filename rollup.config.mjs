// One build shape for every package: ESM entries for npm with dependencies external,
// self-contained bundles where a URL loads the file directly (workers, script tags),
// and plain asset copies. Types come from `tsc -b` (see package.json "build").
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import esbuild from 'rollup-plugin-esbuild';

const require = createRequire(import.meta.url);
const production = process.env.NODE_ENV !== 'development';

/**
 * Resolves a file of a dependency from a package's node_modules, also where the dependency's
 * `exports` map leaves the file out (@vladmandic/human's models/).
 */
function resolveFile(pkg, specifier) {
  const local = createRequire(join(import.meta.dirname, pkg, 'package.json'));
  try {
    return local.resolve(specifier);
  } catch (error) {
    const parts = specifier.split('/');
    const name = parts.slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
    const rest = parts.slice(name.split('/').length).join('/');
    const found = (local.resolve.paths(name) ?? []).map((dir) => join(dir, name, rest)).find((path) => existsSync(path));
    if (!found) throw error;
    return found;
  }
}

/** Copies files (resolved from a package's node_modules) into its dist after the build. */
function copy(pkg, files) {
  return {
    name: 'facepay-copy',
    async writeBundle() {
      for (const [from, to] of files) {
        const source = resolveFile(pkg, from);
        const target = join(pkg, 'dist', to);
        await mkdir(dirname(target), { recursive: true });
        await copyFile(source, target);
      }
    },
  };
}

/**
 * TensorFlow.js's ESM entries import CommonJS (seedrandom, long) and Emscripten files that
 * only its own build turns into modules; its flat ESM bundles are the form a bundler can
 * take as is (Node keeps using each package's `main`).
 */
const TFJS_FLAT = {
  '@tensorflow/tfjs-core': '@tensorflow/tfjs-core/dist/tf-core.fesm.js',
  '@tensorflow/tfjs-converter': '@tensorflow/tfjs-converter/dist/tf-converter.fesm.js',
  '@tensorflow/tfjs-backend-wasm': '@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.fesm.js',
};
const tfjsFlat = {
  name: 'facepay-tfjs-flat',
  resolveId(id, importer) {
    return id in TFJS_FLAT ? this.resolve(TFJS_FLAT[id], importer, { skipSelf: true }) : null;
  },
};

const plugins = (extra = []) => [
  tfjsFlat,
  nodeResolve({ browser: true, exportConditions: ['source'], extensions: ['.ts', '.js', '.mjs'] }),
  esbuild({
    target: 'es2022',
    minify: production,
    sourceMap: true,
    legalComments: 'inline',
    // tfjs-core's Node platform (never run in a browser) requires node-fetch and util.
    logOverride: { 'unsupported-require-call': 'silent' },
  }),
  ...extra,
];

/**
 * @param {string} pkg package folder, e.g. "packages/vision"
 * @param {{ entries?: string[], bundles?: string[], copy?: [string, string][] }} parts
 *   entries: npm ESM entries (src/*.ts), dependencies external;
 *   bundles: self-contained files loaded by URL, everything inlined;
 *   splitBundles: like bundles, but what they import lazily (`import()`) becomes a file of
 *     its own beside them, `<bundle>-<module>.js`, fetched only when first imported;
 *   copy: [module specifier, path under dist] pairs.
 */
export function packageBuild(pkg, parts) {
  const manifest = require(join(import.meta.dirname, pkg, 'package.json'));
  const deps = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies });
  const external = (id) => id.startsWith('node:') || deps.some((dep) => id === dep || id.startsWith(`${dep}/`));
  const builds = [];
  if (parts.entries?.length) {
    builds.push({
      input: Object.fromEntries(parts.entries.map((name) => [name, join(pkg, 'src', `${name}.ts`)])),
      external,
      plugins: plugins(),
      output: { dir: join(pkg, 'dist'), format: 'es', sourcemap: true, entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
    });
  }
  for (const name of parts.bundles ?? []) {
    builds.push({
      input: join(pkg, 'src', `${name}.ts`),
      plugins: plugins(),
      output: { file: join(pkg, 'dist', `${name}.js`), format: 'es', sourcemap: true, inlineDynamicImports: true },
    });
  }
  for (const name of parts.splitBundles ?? []) {
    builds.push({
      input: { [name]: join(pkg, 'src', `${name}.ts`) },
      plugins: plugins(),
      output: { dir: join(pkg, 'dist'), format: 'es', sourcemap: true, entryFileNames: '[name].js', chunkFileNames: `${name}-[name].js` },
    });
  }
  if (parts.copy?.length) builds.at(-1).plugins.push(copy(pkg, parts.copy));
  return builds;
}

export default [
  ...packageBuild('packages/protocol', { entries: ['index'] }),
  ...packageBuild('packages/liveness', { entries: ['index'] }),
  ...packageBuild('packages/verify', { entries: ['index'] }),
  ...packageBuild('packages/server', { entries: ['index'] }),
  // FaceRes (from @vladmandic/human's files) and the TensorFlow.js wasm binaries, shipped
  // with the package and copied on to the worker and the element.
  ...packageBuild('packages/face', {
    entries: ['index', 'node'],
    copy: [
      ['@vladmandic/human/models/faceres.json', 'models/faceres.json'],
      ['@vladmandic/human/models/faceres.bin', 'models/faceres.bin'],
      ['@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.wasm', 'wasm/tfjs-backend-wasm.wasm'],
      ['@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm', 'wasm/tfjs-backend-wasm-simd.wasm'],
    ],
  }),
  // The worker loads face matching (TensorFlow.js and FaceRes) as a chunk of its own, on first use.
  ...packageBuild('packages/vision', {
    entries: ['index', 'main-thread'],
    splitBundles: ['vision.worker'],
    copy: [
      ['@mediapipe/tasks-vision/vision_wasm_module_internal.js', 'wasm/vision_wasm_module_internal.js'],
      ['@mediapipe/tasks-vision/vision_wasm_module_internal.wasm', 'wasm/vision_wasm_module_internal.wasm'],
      ['@facepay/face/models/faceres.json', 'models/faceres.json'],
      ['@facepay/face/models/faceres.bin', 'models/faceres.bin'],
      ['@facepay/face/wasm/tfjs-backend-wasm.wasm', 'wasm/tfjs-backend-wasm.wasm'],
      ['@facepay/face/wasm/tfjs-backend-wasm-simd.wasm', 'wasm/tfjs-backend-wasm-simd.wasm'],
    ],
  }),
  // The CLI, and the page `facepay analyze` drives in headless Chromium.
  ...packageBuild('packages/cli', { entries: ['main'], bundles: ['analyze-page'] }),
  // The element's script-tag bundle looks for the worker and its assets beside itself.
  ...packageBuild('packages/element', {
    entries: ['index', 'define'],
    bundles: ['facepay'],
    copy: [
      ['@facepay/vision/vision.worker.js', 'vision.worker.js'],
      ['@facepay/vision/vision.worker-match.js', 'vision.worker-match.js'],
      ['@facepay/vision/wasm/vision_wasm_module_internal.js', 'wasm/vision_wasm_module_internal.js'],
      ['@facepay/vision/wasm/vision_wasm_module_internal.wasm', 'wasm/vision_wasm_module_internal.wasm'],
      ['@facepay/vision/wasm/tfjs-backend-wasm.wasm', 'wasm/tfjs-backend-wasm.wasm'],
      ['@facepay/vision/wasm/tfjs-backend-wasm-simd.wasm', 'wasm/tfjs-backend-wasm-simd.wasm'],
      ['@facepay/vision/models/faceres.json', 'models/faceres.json'],
      ['@facepay/vision/models/faceres.bin', 'models/faceres.bin'],
    ],
  }),
];
