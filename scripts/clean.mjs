// Removes the packages' build output, so renamed or removed chunks never linger in dist/.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
for (const group of ['packages', 'examples']) {
  for (const name of await readdir(join(root, group)).catch(() => [])) {
    await rm(join(root, group, name, 'dist'), { recursive: true, force: true });
  }
}
