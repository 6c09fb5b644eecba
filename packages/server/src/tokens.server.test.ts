import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, base64url, generateKeyPair, importJWK, type JWK } from 'jose';
import { FacePayTokenError, consume, verifyFacePayToken, type FacePayTokenErrorCode } from '@facepay/verify';
import { ORDER, call } from './testing/http.js';
import { createMerchant, runCli, startServerProcess, tempDir, type ServerProcess, type TestMerchant } from './testing/processes.js';

// Tokens against a real server: forgeries are refused by verifyFacePayToken (via the
// server's JWKS URL) and by the consume endpoint; good ones are consumed once; rotation
// keeps old tokens valid. Good tokens are signed here with the server's own key from its
// data directory, as only a live verdict makes the server sign one itself.

let data: Awaited<ReturnType<typeof tempDir>>;
let server: ServerProcess;
let shop: TestMerchant;
let other: TestMerchant;

beforeAll(async () => {
  data = await tempDir('tokens');
  shop = await createMerchant(data.path, 'https://shop.example');
  other = await createMerchant(data.path, 'https://other.example');
  server = await startServerProcess({ dataDir: data.path });
});

afterAll(async () => {
  await server?.stop();
  await data?.remove();
});

/** The server's keys, read from its data directory: kid → private key. */
async function serverKeys(): Promise<Map<string, CryptoKey>> {
  const dir = join(data.path, 'keys');
  const keys = new Map<string, CryptoKey>();
  for (const name of (await readdir(dir)).filter((file) => file.endsWith('.json'))) {
    const file = JSON.parse(await readFile(join(dir, name), 'utf8')) as { kid: string; private_jwk: JWK };
    keys.set(file.kid, (await importJWK(file.private_jwk, 'ES256')) as CryptoKey);
  }
  return keys;
}

let counter = 0;

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = Math.floor(Date.now() / 1000);
  return {
    iss: server.url,
    aud: shop.id,
    sub: ORDER.customer,
    sid: 'ses_minted',
    ref: ORDER.reference,
    amount: { value: ORDER.amount, currency: ORDER.currency },
    liveness: { score: 0.9, checks: [], assurance: 'features' },
    iat,
    exp: iat + 120,
    jti: `tok_test_${++counter}_${Date.now()}`,
    ...overrides,
  };
}

async function mint(payload = claims(), header: Record<string, unknown> = {}, kid?: string): Promise<string> {
  const keys = await serverKeys();
  const useKid = kid ?? [...keys.keys()][0]!;
  return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', typ: 'facepay+jwt', kid: useKid, ...header }).sign(keys.get(useKid)!);
}

const verifyOptions = () => ({
  jwksUrl: `${server.url}/.well-known/jwks.json`,
  issuer: server.url,
  audience: shop.id,
  reference: ORDER.reference,
  amount: ORDER.amount,
  currency: ORDER.currency,
});

async function verifyCode(token: string, overrides: Record<string, unknown> = {}): Promise<FacePayTokenErrorCode | 'ok'> {
  return verifyFacePayToken(token, { ...verifyOptions(), ...overrides }).then(
    () => 'ok' as const,
    (error: unknown) => {
      if (!(error instanceof FacePayTokenError)) throw error;
      return error.code;
    },
  );
}

async function consumeCode(token: string, merchant = shop): Promise<FacePayTokenErrorCode | 'ok'> {
  return consume(token, { server: server.url, secretKey: merchant.secret_key }).then(
    () => 'ok' as const,
    (error: unknown) => {
      if (!(error instanceof FacePayTokenError)) throw error;
      return error.code;
    },
  );
}

describe('tokens', () => {
  it('accepts a token signed with the server key, and consumes it exactly once', async () => {
    const token = await mint();
    expect(await verifyCode(token)).toBe('ok');
    expect(await consumeCode(token)).toBe('ok');
    expect(await consumeCode(token)).toBe('token-already-consumed');
    const raw = await call(server.url, '/v1/tokens/consume', { auth: shop.secret_key, json: { token } });
    expect(raw.status).toBe(409);
    expect(raw.body.error.code).toBe('token-consumed');
  });

  it('refuses forgeries in verifyFacePayToken and at the consume endpoint', async () => {
    const [kid] = [...(await serverKeys()).keys()];
    const jwks = (await call(server.url, '/.well-known/jwks.json')).body;
    const foreign = await generateKeyPair('ES256');
    const part = (value: unknown) => base64url.encode(JSON.stringify(value));
    const good = await mint();
    const [goodHeader, , goodSignature] = good.split('.');
    const cases: [string, string, FacePayTokenErrorCode][] = [
      ['alg none', `${part({ alg: 'none', typ: 'facepay+jwt', kid })}.${part(claims())}.`, 'token-alg-not-allowed'],
      [
        'HS256 keyed with the public key',
        await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', typ: 'facepay+jwt', kid }).sign(new TextEncoder().encode(JSON.stringify(jwks.keys[0]))),
        'token-alg-not-allowed',
      ],
      ['unknown kid', await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', typ: 'facepay+jwt', kid: 'not-a-server-key' }).sign(foreign.privateKey), 'token-key-unknown'],
      ['known kid, foreign key', await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', typ: 'facepay+jwt', kid }).sign(foreign.privateKey), 'token-signature-invalid'],
      ['tampered payload', `${goodHeader}.${part(claims({ amount: { value: 1, currency: 'EUR' } }))}.${goodSignature}`, 'token-signature-invalid'],
      ['another typ', await mint(claims(), { typ: 'JWT' }), 'token-type-invalid'],
      ['another issuer', await mint(claims({ iss: 'https://evil.example' })), 'token-claim-invalid'],
      ['lives too long', await mint(claims({ exp: Math.floor(Date.now() / 1000) + 3600 })), 'token-claim-invalid'],
      ['malformed', 'not.a.token', 'token-malformed'],
    ];
    for (const [name, token, code] of cases) {
      expect(await verifyCode(token), name).toBe(code);
      expect(await consumeCode(token), name).toBe('token-rejected');
    }
    // The good token survived all that unconsumed.
    expect(await consumeCode(good)).toBe('ok');
  });

  it('refuses an expired token in both places', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await mint(claims({ iat: now - 300, exp: now - 180 }));
    expect(await verifyCode(token)).toBe('token-expired');
    expect(await consumeCode(token)).toBe('token-expired');
  });

  it("refuses another merchant's token: wrong audience offline, and at consume with the wrong secret key", async () => {
    const token = await mint(claims({ aud: other.id }));
    expect(await verifyCode(token)).toBe('token-claim-invalid');
    expect(await consumeCode(token, shop)).toBe('token-rejected');
    expect(await consumeCode(token, other)).toBe('ok');
  });

  it('refuses a token for another amount, currency or reference (the merchant checks these offline)', async () => {
    const token = await mint();
    expect(await verifyCode(token, { amount: ORDER.amount + 1 })).toBe('token-amount-mismatch');
    expect(await verifyCode(token, { currency: 'USD' })).toBe('token-amount-mismatch');
    expect(await verifyCode(token, { reference: 'order_999' })).toBe('token-reference-mismatch');
  });

  it('rotates keys: new kid signs, old tokens still verify and consume, both keys are published', async () => {
    const before = await mint();
    const [oldKid] = [...(await serverKeys()).keys()];
    const rotated = await runCli(['keys', 'rotate', '--data', data.path]);
    expect(rotated.code, rotated.stderr).toBe(0);
    const newKey = JSON.parse(rotated.stdout) as { kid: string; status: string };
    expect(newKey).toMatchObject({ status: 'signing' });
    expect(newKey.kid).not.toBe(oldKid);

    // The running server notices the new key file within a second, no restart.
    let kids: string[] = [];
    for (let i = 0; i < 30 && kids.length < 2; i++) {
      kids = (await call(server.url, '/.well-known/jwks.json')).body.keys.map((key: JWK) => key.kid);
      if (kids.length < 2) await new Promise((done) => setTimeout(done, 200));
    }
    expect(kids.sort()).toEqual([oldKid, newKey.kid].sort());

    const listed = await runCli(['keys', 'list', '--data', data.path]);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ kid: oldKid, status: 'published', retired_at: expect.any(String), published_until: expect.any(String) }),
      expect.objectContaining({ kid: newKey.kid, status: 'signing' }),
    ]);

    // A fresh JWKS URL, as a verifier that never saw the old set (jose caches per URL).
    const fresh = { jwksUrl: `${server.url}/.well-known/jwks.json?after-rotation` };
    expect(await verifyCode(before, fresh)).toBe('ok');
    expect(await verifyCode(await mint(claims(), {}, newKey.kid), fresh)).toBe('ok');
    expect(await consumeCode(before)).toBe('ok');
  });
});
