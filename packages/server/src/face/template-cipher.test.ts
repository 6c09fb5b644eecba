import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FACE_TEMPLATE_DIMS, FacePayError } from '@facepay/protocol';
import { TemplateCipher } from './template-cipher.js';
import { TEMPLATE_KEY_FILE, openTemplateKey } from './template-key.js';

const template = Float32Array.from({ length: FACE_TEMPLATE_DIMS }, (_, i) => Math.sin(i) / 22.6);
const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'facepay-template-key-'));
  dirs.push(dir);
  return dir;
};
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('openTemplateKey', () => {
  it('creates a 32-byte key in the data directory once (mode 0600), and reads it back', async () => {
    const dir = await tempDir();
    const first = await openTemplateKey(join(dir, 'data'), {});
    expect(first.key).toHaveLength(32);
    expect(first.id).toMatch(/^[0-9a-f]{8}$/);
    const file = join(dir, 'data', TEMPLATE_KEY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64')).toEqual(first.key);
    const again = await openTemplateKey(join(dir, 'data'), {});
    expect(again).toEqual(first);
  });

  it('takes FACEPAY_TEMPLATE_KEY over the file, and refuses a key that is not 32 bytes without quoting it', async () => {
    const dir = await tempDir();
    const key = Buffer.alloc(32, 7).toString('base64');
    expect((await openTemplateKey(dir, { FACEPAY_TEMPLATE_KEY: key })).key).toEqual(Buffer.alloc(32, 7));
    for (const bad of [Buffer.alloc(16, 7).toString('base64'), 'not base64!', `${key}AA`]) {
      const error = await openTemplateKey(dir, { FACEPAY_TEMPLATE_KEY: bad }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FacePayError);
      expect(error).toMatchObject({ code: 'config-invalid' });
      expect((error as Error).message).not.toContain(bad);
    }
    await writeFile(join(dir, TEMPLATE_KEY_FILE), 'short\n');
    await expect(openTemplateKey(dir, {})).rejects.toMatchObject({ code: 'config-invalid' });
  });
});

describe('TemplateCipher', () => {
  const cipher = new TemplateCipher({ key: Buffer.alloc(32, 1), id: 'aaaaaaaa' });

  it('opens what it sealed, exactly, for the same merchant and customer', () => {
    const sealed = cipher.seal('mer_1', 'cus_42', template);
    expect(sealed).toMatch(/^v1\.aaaaaaaa\.[A-Za-z0-9_-]+$/);
    expect(cipher.open('mer_1', 'cus_42', sealed)).toEqual(template);
    // A fresh IV each time: the same template never seals to the same text.
    expect(cipher.seal('mer_1', 'cus_42', template)).not.toBe(sealed);
  });

  it('keeps the template bytes out of the sealed text', () => {
    const sealed = cipher.seal('mer_1', 'cus_42', template);
    const plain = Buffer.from(template.buffer);
    const bytes = Buffer.from(sealed.split('.')[2]!, 'base64url');
    expect(bytes.indexOf(plain.subarray(0, 16))).toBe(-1);
    expect(sealed).not.toContain(plain.toString('base64').slice(0, 24));
  });

  it('refuses a template moved to another customer or merchant, altered, or sealed with another key', () => {
    const sealed = cipher.seal('mer_1', 'cus_42', template);
    const refuses = (open: () => unknown, why: RegExp) => {
      let error: unknown;
      try {
        open();
      } catch (caught) {
        error = caught;
      }
      expect(error).toMatchObject({ code: 'internal-error' });
      expect((error as Error).message).toMatch(why);
    };
    refuses(() => cipher.open('mer_1', 'cus_43', sealed), /does not authenticate/);
    refuses(() => cipher.open('mer_2', 'cus_42', sealed), /does not authenticate/);
    const bytes = Buffer.from(sealed.split('.')[2]!, 'base64url');
    bytes[40]! ^= 1;
    refuses(() => cipher.open('mer_1', 'cus_42', `v1.aaaaaaaa.${bytes.toString('base64url')}`), /does not authenticate/);
    const other = new TemplateCipher({ key: Buffer.alloc(32, 2), id: 'bbbbbbbb' });
    refuses(() => other.open('mer_1', 'cus_42', sealed), /sealed with key aaaaaaaa/);
    refuses(() => cipher.open('mer_1', 'cus_42', 'v2.aaaaaaaa.AAAA'), /not a sealed template/);
    refuses(() => cipher.open('mer_1', 'cus_42', 'v1.aaaaaaaa.AAAA'), /wrong length/);
  });
});
