import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { ErrorCode, FacePayError } from '@facepay/protocol';
import { TOKEN_ALGORITHM, TOKEN_MAX_LIFETIME_S } from '@facepay/verify';
import { KEY_RETENTION_MARGIN_S } from '../limits.js';
import type { KeyStore, SigningKey } from './key-store.js';

/** The keys folder inside the data directory. */
export const KEYS_DIR = 'keys';

export const KeyStatus = {
  /** Signs new tokens. */
  Signing: 'signing',
  /** Retired; still in the JWKS while tokens it signed may be valid. */
  Published: 'published',
  /** Out of the JWKS; its file is deleted at the next start or rotation. */
  Expired: 'expired',
} as const;
export type KeyStatus = (typeof KeyStatus)[keyof typeof KeyStatus];

export interface KeyInfo {
  kid: string;
  status: KeyStatus;
  /** ISO 8601. */
  created_at: string;
  /** When a newer key took over signing (ISO 8601). */
  retired_at?: string;
  /** When it leaves the JWKS (ISO 8601). */
  published_until?: string;
}

/** A key file: written once, mode 0600, never changed. */
interface KeyFile {
  kid: string;
  created_at: string;
  private_jwk: JWK;
}

interface LoadedKey {
  kid: string;
  createdAt: number;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface FileKeyStoreOptions {
  /** Create the first key when there is none (default true; false for read-only uses such as listing). */
  create?: boolean;
  /** Seconds a retired key stays published after its last token expired (default 600). */
  retentionMarginS?: number;
}

/** How often a running server looks for keys added by `facepay keys rotate` (ms). */
const REFRESH_MS = 1000;

/**
 * ES256 keys as files in `<data>/keys/`, one per key. The newest signs; a key retires when
 * a newer one is added and stays in the JWKS for a token lifetime plus a margin (verifier
 * clocks and JWKS caches), then drops out. A running server notices rotations by the
 * folder's mtime, so `facepay keys rotate` needs no restart.
 */
export class FileKeyStore implements KeyStore {
  readonly #dir: string;
  readonly #publishedForMs: number;
  #keys: LoadedKey[] = [];
  #publicKeys: { at: number; keys: JWK[] } | undefined;
  #mtimeMs = -1;
  #checkedAt = 0;

  private constructor(dir: string, options: FileKeyStoreOptions) {
    this.#dir = dir;
    this.#publishedForMs = (TOKEN_MAX_LIFETIME_S + (options.retentionMarginS ?? KEY_RETENTION_MARGIN_S)) * 1000;
  }

  /** Opens `<dataDir>/keys`, creating the first key when there is none, and deletes expired ones. */
  static async open(dataDir: string, options: FileKeyStoreOptions = {}): Promise<FileKeyStore> {
    const store = new FileKeyStore(join(dataDir, KEYS_DIR), options);
    await mkdir(store.#dir, { recursive: true, mode: 0o700 });
    await store.#reload();
    if (store.#keys.length === 0 && options.create !== false) await store.rotate();
    else await store.#prune();
    return store;
  }

  async signingKey(): Promise<SigningKey> {
    await this.#refresh();
    const { kid, privateKey } = this.#keys.at(-1)!;
    return { kid, privateKey };
  }

  async publicKeys(): Promise<JWK[]> {
    await this.#refresh();
    // Recomputed once a second at most; the same array otherwise, so callers can cache on it.
    const now = Date.now();
    if (!this.#publicKeys || now - this.#publicKeys.at >= REFRESH_MS) {
      this.#publicKeys = { at: now, keys: this.list(now).filter((key) => key.status !== KeyStatus.Expired).map((key) => this.#jwk(key.kid)) };
    }
    return this.#publicKeys.keys;
  }

  /** Adds a new signing key; the previous one retires. */
  async rotate(): Promise<KeyInfo> {
    const { privateKey } = await generateKeyPair(TOKEN_ALGORITHM, { extractable: true });
    const jwk = await exportJWK(privateKey);
    const kid = await calculateJwkThumbprint({ kty: jwk.kty!, crv: jwk.crv!, x: jwk.x!, y: jwk.y! });
    const file: KeyFile = { kid, created_at: new Date().toISOString(), private_jwk: jwk };
    const path = join(this.#dir, `${kid}.json`);
    // Written under another name and renamed, so a reader never sees half a key.
    await writeFile(`${path}.tmp`, JSON.stringify(file, null, 2), { mode: 0o600, flag: 'wx' });
    await rename(`${path}.tmp`, path);
    await this.#reload();
    await this.#prune();
    return this.list().find((key) => key.kid === kid)!;
  }

  /** Every key on disk, oldest first. */
  list(now = Date.now()): KeyInfo[] {
    return this.#keys.map((key, i) => {
      const info: KeyInfo = { kid: key.kid, status: KeyStatus.Signing, created_at: new Date(key.createdAt).toISOString() };
      const successor = this.#keys[i + 1];
      if (successor) {
        const until = successor.createdAt + this.#publishedForMs;
        info.status = now < until ? KeyStatus.Published : KeyStatus.Expired;
        info.retired_at = new Date(successor.createdAt).toISOString();
        info.published_until = new Date(until).toISOString();
      }
      return info;
    });
  }

  #jwk(kid: string): JWK {
    return this.#keys.find((key) => key.kid === kid)!.publicJwk;
  }

  async #refresh(): Promise<void> {
    const now = Date.now();
    if (now - this.#checkedAt < REFRESH_MS) return;
    this.#checkedAt = now;
    if ((await stat(this.#dir)).mtimeMs !== this.#mtimeMs) await this.#reload();
  }

  async #reload(): Promise<void> {
    // The mtime is taken first: a key added while reading is picked up next time.
    this.#mtimeMs = (await stat(this.#dir)).mtimeMs;
    const names = (await readdir(this.#dir)).filter((name) => name.endsWith('.json'));
    const keys = await Promise.all(names.map((name) => this.#load(join(this.#dir, name))));
    this.#keys = keys.sort((a, b) => a.createdAt - b.createdAt || (a.kid < b.kid ? -1 : 1));
    this.#publicKeys = undefined;
  }

  async #load(path: string): Promise<LoadedKey> {
    try {
      const file = JSON.parse(await readFile(path, 'utf8')) as KeyFile;
      const createdAt = Date.parse(file.created_at);
      const { kty, crv, x, y } = file.private_jwk;
      if (typeof file.kid !== 'string' || !Number.isFinite(createdAt) || kty !== 'EC' || crv !== 'P-256') throw new Error('not an ES256 key file');
      const privateKey = (await importJWK(file.private_jwk, TOKEN_ALGORITHM)) as CryptoKey;
      return { kid: file.kid, createdAt, privateKey, publicJwk: { kty, crv, x, y, kid: file.kid, alg: TOKEN_ALGORITHM, use: 'sig' } };
    } catch (error) {
      throw new FacePayError(ErrorCode.ConfigInvalid, `Unreadable signing key ${path}: ${(error as Error).message}`, { cause: error });
    }
  }

  async #prune(): Promise<void> {
    const expired = this.list().filter((key) => key.status === KeyStatus.Expired);
    if (expired.length === 0) return;
    await Promise.all(expired.map((key) => rm(join(this.#dir, `${key.kid}.json`), { force: true })));
    await this.#reload();
  }
}
