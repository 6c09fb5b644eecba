// `pnpm clips [--force]`: generates the synthetic test clips into the cache (or finds them
// there) and lists them. See docs/test-clips.md.
import { parseArgs } from 'node:util';
import { ensureClips, generationTimings } from './generate.js';

const { values } = parseArgs({ options: { force: { type: 'boolean', default: false } } });
try {
  let generated = false;
  const set = await ensureClips({
    force: values.force,
    log: (line) => {
      generated = true;
      console.log(line);
    },
  });
  const timings = generationTimings();
  console.log(`\n${set.dir}`);
  for (const manifest of Object.values(set.clips)) {
    const actions = manifest.actions.map((a) => `${a.step}@${a.start}s`).join(' ') || '-';
    console.log(`  ${manifest.name.padEnd(30)} ${manifest.kind.padEnd(18)} ${String(manifest.frames).padStart(4)} frames  expect ${manifest.expect.padEnd(8)} ${actions}`);
  }
  const seconds = (timings.totalMs / 1000).toFixed(1);
  console.log(generated ? `\ngenerated in ${seconds} s` : `\nfound in the cache (generated in ${seconds} s)`);
} catch (error) {
  console.error(`facepay clips: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
