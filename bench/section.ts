import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '@facepay/testkit';
import type { BenchContext } from './context.js';
import type { Row } from './results.js';

/**
 * One part of the report. A section lists the packages it measures; when one is not in
 * this checkout (built on another branch, say) the section reports "not available" and
 * the rest still run. Its code is loaded only then, since its imports would fail without
 * them. A section with no `load` yet is a plug point: it says what it will measure.
 */
export interface Section {
  id: string;
  title: string;
  /** Workspace packages or root devDependencies it needs. */
  requires: string[];
  /** Built files it measures or serves (`pnpm build` makes them), relative to the root. */
  built: string[];
  load?: () => Promise<{ run(ctx: BenchContext): Promise<Row[]> }>;
  /** For a section still to be written: what it will measure. */
  planned?: string;
}

function workspacePackages(): Set<string> {
  const names = new Set<string>();
  for (const group of ['packages', 'examples']) {
    const dir = join(ROOT, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const manifest = join(dir, name, 'package.json');
      if (existsSync(manifest)) names.add((JSON.parse(readFileSync(manifest, 'utf8')) as { name: string }).name);
    }
  }
  return names;
}

/** The packages a section needs that this checkout lacks. */
export function missingPackages(section: Section): string[] {
  const workspace = workspacePackages();
  return section.requires.filter((name) => !workspace.has(name) && !existsSync(join(ROOT, 'node_modules', name, 'package.json')));
}
