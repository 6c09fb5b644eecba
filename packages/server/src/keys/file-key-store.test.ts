import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeProtectedHeader, jwtVerify, createLocalJWKSet } from 'jose';
import { Verdict } from '@facepay/protocol';
import { SessionStatus, type SessionRecord } from '../records.js';
import { signToken } from '../tokens.js';
import { FileKeyStore, KeyStatus } from './file-key-store.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facepay-keys-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SESSION: SessionRecord = {
  id: 'ses_1',
  version: 3,
  merchantId: 'mer_1',
  clientSecretHash: '00',
  amount: 1299,
  currency: 'EUR',
  reference: 'order_123',
  customer: 'cus_42',
  purpose: 'pay',
  status: SessionStatus.Pending,
  attempts: 1,
  createdAt: 0,
  expiresAt: 0,
};
const EVALUATION = { verdict: Verdict.Live, score: 0.91, checks: [{ name: 'planarity' as const, passed: true, value: 0.03 }], reasons: [] };

describe('FileKeyStore', () => {
  it('creates one ES256 key on first open, readable by its owner only', async () => {
    const keys = await FileKeyStore.open(dir);
    const files = await readdir(join(dir, 'keys'));
    expect(files).toHaveLength(1);
    expect((await stat(join(dir, 'keys', files[0]!))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'keys'))).mode & 0o777).toBe(0o700);
    const [jwk] = await keys.publicKeys();
    expect(jwk).toEqual({ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid: (await keys.signingKey()).kid, alg: 'ES256', use: 'sig' });
    // Opening again keeps the key.
    expect((await (await FileKeyStore.open(dir)).signingKey()).kid).toBe(jwk!.kid);
  });

  it('signs with a key rotated in by another process once it notices, and keeps publishing the old one', async () => {
    const server = await FileKeyStore.open(dir);
    const oldKid = (await server.signingKey()).kid;
    const cli = await FileKeyStore.open(dir);
    const added = await cli.rotate();
    await new Promise((done) => setTimeout(done, 1100));
    expect((await server.signingKey()).kid).toBe(added.kid);

    const { token, claims } = await signToken(server, { issuer: 'https://facepay.example', lifetimeS: 120 }, SESSION, EVALUATION, { assurance: 'features' }, Date.now());
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', typ: 'facepay+jwt', kid: added.kid });
    const published = await server.publicKeys();
    expect(published.map((key) => key.kid).sort()).toEqual([oldKid, added.kid].sort());
    const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: published }), { algorithms: ['ES256'] });
    expect(payload).toEqual({ ...claims });
    expect(claims).toMatchObject({
      iss: 'https://facepay.example',
      aud: 'mer_1',
      sub: 'cus_42',
      sid: 'ses_1',
      ref: 'order_123',
      amount: { value: 1299, currency: 'EUR' },
      liveness: { score: 0.91, checks: EVALUATION.checks, assurance: 'features' },
      jti: expect.stringMatching(/^tok_/),
    });
    expect(claims.exp - claims.iat).toBe(120);
  });

  it('drops a retired key from the JWKS once its tokens cannot be valid any more, and deletes it', async () => {
    const keys = await FileKeyStore.open(dir, { retentionMarginS: 600 });
    const first = keys.list()[0]!;
    const second = await keys.rotate();
    const retiredAt = Date.parse(second.created_at);
    const listed = keys.list();
    expect(listed[0]).toMatchObject({ kid: first.kid, status: KeyStatus.Published, retired_at: second.created_at });
    expect(Date.parse(listed[0]!.published_until!) - retiredAt).toBe((120 + 600) * 1000);
    expect(keys.list(retiredAt + 720_000 - 1)[0]!.status).toBe(KeyStatus.Published);
    expect(keys.list(retiredAt + 720_000)[0]!.status).toBe(KeyStatus.Expired);

    // With no margin the old key is out after one token lifetime: reopening prunes it.
    await writeFile(join(dir, 'keys', `${first.kid}.json.tmp`), 'half-written, ignored');
    const short = await FileKeyStore.open(dir, { retentionMarginS: 0 });
    expect(short.list().map((key) => key.kid)).toEqual([first.kid, second.kid]);
    const later = short.list(retiredAt + 120_000);
    expect(later.map((key) => key.status)).toEqual([KeyStatus.Expired, KeyStatus.Signing]);
  });

  it('refuses to start on an unreadable key file', async () => {
    await FileKeyStore.open(dir);
    await writeFile(join(dir, 'keys', 'broken.json'), '{"kid": "broken"}');
    await expect(FileKeyStore.open(dir)).rejects.toMatchObject({ code: 'config-invalid' });
  });
});
