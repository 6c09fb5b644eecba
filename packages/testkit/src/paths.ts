import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** `../shared` beside the repository: the model and the test faces. */
export const SHARED = process.env.FACEPAY_SHARED ?? join(ROOT, '..', 'shared');
export const FACES = join(SHARED, 'faces');
