import { cp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const require = createRequire(import.meta.url);
/** The element's build folder, wherever the package manager put it. */
const elementDist = dirname(require.resolve('@facepay/element/facepay.js'));

/**
 * The worker Vite emits looks for `wasm/`, `models/` and its face-matching chunk
 * (`vision.worker-match.js`, imported on the first `prepareMatch()`) beside itself, in
 * `assets/`. Vite copies the worker as it is, without that import: copy them as they are.
 */
function facepayAssets(): Plugin {
  let outDir = 'dist';
  let assetsDir = 'assets';
  return {
    name: 'facepay-assets',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
      assetsDir = config.build.assetsDir;
    },
    async closeBundle() {
      for (const path of ['wasm', 'models', 'vision.worker-match.js']) {
        await cp(join(elementDist, path), join(outDir, assetsDir, path), { recursive: true });
      }
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  plugins: [facepayAssets()],
  worker: { format: 'es' },
  build: { target: 'es2022' },
});
