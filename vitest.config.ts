import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  // Tests run in Node (Vite's SSR environment), which has its own conditions.
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/*.browser.test.ts', '**/*.server.test.ts', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          // Real `facepay serve` processes (and redis-server) over HTTP; one server per file,
          // files one after another: each spawns Node processes on a two-core machine.
          name: 'server',
          include: ['packages/*/src/**/*.server.test.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          // Real Chromium against the built packages (`pnpm build` first). One browser per
          // file, files one after another: two cores, and MediaPipe takes one of them.
          name: 'browser',
          include: ['packages/*/src/**/*.browser.test.ts', 'examples/*/*.browser.test.ts', 'bench/*.browser.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
