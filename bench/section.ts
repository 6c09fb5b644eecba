import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '@facepay/testkit';
import type { BenchContext } from './context.js';
import type { Row } from './results.js';

/**
 * One part of the report. A section lists the packages it measures; when one is not in
 * this checkout (built on another branch, say) the section reports "not available" and
 * the rest still run. A section with no `run` yet is a plug point: it reports what it
 * will measure until someone writes it.
 */
export interface Section {
  id: string;
  title: string;
  /** Workspace packages or root devDependencies it needs. */
  requires: string[];
  run?: (ctx: BenchContext) => Promise<Row[]>;
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
