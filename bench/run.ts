// `pnpm bench`: runs the sections one after another in one process (so every ratio compares
// figures from the same run), writes bench/results.json and prints the report as markdown.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { CHROMIUM_PATH, ROOT } from '@facepay/testkit';
import { createContext } from './context.js';
import { evaluateGoals } from './goals.js';
import { parseOptions, USAGE, type BenchOptions } from './options.js';
import { markdown } from './report.js';
import { RESULTS_SCHEMA, SectionStatus, type BenchResults, type SectionResult } from './results.js';
import { missingPackages } from './section.js';
import { SECTIONS } from './sections/index.js';

const log = (message: string): void => console.error(`bench: ${message}`);

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  const unknown = options.only?.filter((id) => !SECTIONS.some((s) => s.id === id)) ?? [];
  if (unknown.length) {
    console.error(`bench: unknown section ${unknown.join(', ')}; sections: ${SECTIONS.map((s) => s.id).join(', ')}`);
    return 2;
  }
  const selected = SECTIONS.filter((s) => !options.only || options.only.includes(s.id));
  // The bench measures what ships, so it never builds; it says so instead of timing stale files.
  const unbuilt = [...new Set(selected.filter((s) => s.load && !missingPackages(s).length).flatMap((s) => s.built))].filter(
    (path) => !existsSync(join(ROOT, path)),
  );
  if (unbuilt.length) {
    console.error(`bench: ${unbuilt.join(', ')} missing: run pnpm build first`);
    return 1;
  }

  const startedAt = new Date();
  const loadStart = loadavg()[0]!;
  const { ctx, close } = await createContext(options, log);
  const sections: SectionResult[] = [];
  try {
    for (const section of selected) {
      const start = performance.now();
      const done = (result: Omit<SectionResult, 'id' | 'title' | 'durationMs'>): void => {
        sections.push({ id: section.id, title: section.title, durationMs: performance.now() - start, ...result });
      };
      const missing = missingPackages(section);
      if (missing.length) {
        done({ status: SectionStatus.NotAvailable, reason: `needs ${missing.join(', ')}, not in this checkout`, rows: [] });
      } else if (!section.load) {
        done({ status: SectionStatus.NotAvailable, reason: `not written yet; will measure ${section.planned ?? 'its figures'}`, rows: [] });
      } else {
        log(`${section.id}…`);
        try {
          const { run } = await section.load();
          done({ status: SectionStatus.Ok, rows: await run(ctx) });
        } catch (error) {
          log(`${section.id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
          done({ status: SectionStatus.Failed, reason: error instanceof Error ? error.message.split('\n')[0]! : String(error), rows: [] });
        }
      }
    }
  } finally {
    await close();
  }

  const chromium = await promisify(execFile)(CHROMIUM_PATH, ['--version']).then(
    ({ stdout }) => stdout.trim(),
    () => 'unknown Chromium',
  );
  const results: BenchResults = {
    schema: RESULTS_SCHEMA,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    machine: {
      cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      loadAverage: { start: loadStart, end: loadavg()[0]! },
      os: `${type()} ${release()}`,
      node: process.version,
      chromium,
    },
    options: { ...options },
    sections,
    goals: evaluateGoals(sections),
  };
  await mkdir(dirname(options.out), { recursive: true });
  await writeFile(options.out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(markdown(results));
  log(`results written to ${options.out}`);
  return sections.some((s) => s.status === SectionStatus.Failed) ? 1 : 0;
}

process.exitCode = await main();
