import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, FacePayError } from '@facepay/protocol';

/** The key file inside the data directory, when `FACEPAY_TEMPLATE_KEY` does not give the key. */
export const TEMPLATE_KEY_FILE = 'template.key';

/** The AES-256-GCM key that seals face templates at rest. */
export interface TemplateKey {
  key: Buffer;
  /** First 8 hex digits of the key's SHA-256: names the key in sealed templates, so a wrong key is told apart from tampering. */
  id: string;
}

const KEY_BYTES = 32;

/**
 * The template key: `FACEPAY_TEMPLATE_KEY` (base64 of 32 bytes) when set, else
 * `<dataDir>/template.key`, created on first start (32 bytes from the CSPRNG, base64, mode
 * 0600). Every instance sharing a store needs the same key. A key that is not 32 bytes
 * stops the start with `config-invalid`.
 */
export async function openTemplateKey(dataDir: string, env: Record<string, string | undefined> = process.env): Promise<TemplateKey> {
  const fromEnv = env.FACEPAY_TEMPLATE_KEY;
  if (fromEnv !== undefined && fromEnv !== '') return toKey(fromEnv, 'FACEPAY_TEMPLATE_KEY');
  const file = join(dataDir, TEMPLATE_KEY_FILE);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  try {
    // `wx`: of two processes starting at once, one creates the key and the other reads it.
    await writeFile(file, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return toKey(await readFile(file, 'utf8'), file);
}

function toKey(text: string, source: string): TemplateKey {
  const trimmed = text.trim();
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
  if (key.length !== KEY_BYTES) {
    // Never quote the value: it may be a key of another length.
    throw new FacePayError(ErrorCode.ConfigInvalid, `${source}: the face template key must be ${KEY_BYTES} bytes, base64 (e.g. openssl rand -base64 32)`);
  }
  return { key, id: createHash('sha256').update(key).digest('hex').slice(0, 8) };
}
