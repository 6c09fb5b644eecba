import { createServer } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, base64url, exportJWK, generateKeyPair, type JSONWebKeySet, type JWK } from 'jose';
import { consume } from './consume.js';
import { FacePayTokenError, type FacePayTokenErrorCode } from './errors.js';
import { verifyFacePayToken, type VerifyFacePayTokenOptions } from './verify-token.js';

const ISSUER = 'https://facepay.example';
const MERCHANT = 'mer_shop';
const OPTIONS = { issuer: ISSUER, audience: MERCHANT, reference: 'order_123', amount: 1299, currency: 'EUR' } as const;

let privateKey: CryptoKey;
let publicJwk: JWK;
let jwks: JSONWebKeySet;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  jwks = { keys: [publicJwk] };
});

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = Math.floor(Date.now() / 1000);
  return {
    iss: ISSUER,
    aud: MERCHANT,
    sub: 'cus_42',
    sid: 'ses_1',
    ref: 'order_123',
    amount: { value: 1299, currency: 'EUR' },
    liveness: { score: 0.93, checks: [{ name: 'planarity', passed: true, value: 0.04 }], assurance: 'features' },
    iat,
    exp: iat + 120,
    jti: 'tok_1',
    ...overrides,
  };
}

function sign(payload = claims(), header: Record<string, unknown> = {}, key: CryptoKey = privateKey): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', typ: 'facepay+jwt', kid: 'k1', ...header }).sign(key);
}

/** A compact JWS with any header and payload, signed by nothing. */
function unsigned(header: Record<string, unknown>, payload: Record<string, unknown>, signature = ''): string {
  const part = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${part(header)}.${part(payload)}.${signature}`;
}

async function failure(token: string, options: Partial<VerifyFacePayTokenOptions> = {}): Promise<FacePayTokenError> {
  const error = await verifyFacePayToken(token, { jwks, ...OPTIONS, ...options } as VerifyFacePayTokenOptions).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(FacePayTokenError);
  return error as FacePayTokenError;
}

async function expectCode(token: string, code: FacePayTokenErrorCode, options?: Partial<VerifyFacePayTokenOptions>): Promise<FacePayTokenError> {
  const error = await failure(token, options);
  expect(error.code, error.message).toBe(code);
  return error;
}

describe('verifyFacePayToken', () => {
  it('returns the claims of a good token', async () => {
    const token = await sign();
    await expect(verifyFacePayToken(token, { jwks, ...OPTIONS })).resolves.toEqual(claims({ iat: expect.any(Number), exp: expect.any(Number) }));
  });

  it('refuses alg none, and HS256 keyed with the public key', async () => {
    await expectCode(unsigned({ alg: 'none', typ: 'facepay+jwt', kid: 'k1' }, claims()), 'token-alg-not-allowed');
    const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
    const hs256 = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', typ: 'facepay+jwt', kid: 'k1' }).sign(secret);
    await expectCode(hs256, 'token-alg-not-allowed');
    // With a JWKS that (wrongly) carries the public key as an HMAC secret, jose's pinning still holds.
    const octJwks = { keys: [{ kty: 'oct', k: base64url.encode(secret), kid: 'k1', alg: 'HS256' }] };
    await expectCode(hs256, 'token-alg-not-allowed', { jwks: octJwks });
  });

  it('refuses another typ', async () => {
    await expectCode(await sign(claims(), { typ: 'JWT' }), 'token-type-invalid');
    await expectCode(await sign(claims(), { typ: undefined }), 'token-type-invalid');
  });

  it('refuses an unknown kid, a missing kid, and a signature by another key', async () => {
    await expectCode(await sign(claims(), { kid: 'k2' }), 'token-key-unknown');
    await expectCode(await sign(claims(), { kid: undefined }), 'token-key-unknown');
    const other = await generateKeyPair('ES256');
    await expectCode(await sign(claims(), {}, other.privateKey), 'token-signature-invalid');
  });

  it('refuses a tampered payload', async () => {
    const [header, , signature] = (await sign()).split('.');
    const tampered = `${header}.${base64url.encode(JSON.stringify(claims({ amount: { value: 1, currency: 'EUR' } })))}.${signature}`;
    await expectCode(tampered, 'token-signature-invalid');
  });

  it('refuses malformed tokens', async () => {
    for (const token of ['', 'abc', 'a.b', 'a.b.c', `${base64url.encode('{"alg":"ES256"')}.e30.`, unsigned({ alg: 'ES256', typ: 'facepay+jwt', kid: 'k1' }, claims()).slice(0, -1) + '.x.y']) {
      await expectCode(token, 'token-malformed');
    }
  });

  it('refuses an expired token beyond the clock tolerance (default 5 s)', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectCode(await sign(claims({ iat: now - 200, exp: now - 80 })), 'token-expired');
    const justExpired = await sign(claims({ iat: now - 123, exp: now - 3 }));
    await expect(verifyFacePayToken(justExpired, { jwks, ...OPTIONS })).resolves.toBeDefined();
    await expectCode(justExpired, 'token-expired', { clockTolerance: 0 });
  });

  it('refuses tokens that live longer than 120 s or are issued in the future', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await expectCode(await sign(claims({ iat: now, exp: now + 3600 })), 'token-claim-invalid')).claim).toBe('exp');
    expect((await expectCode(await sign(claims({ iat: now + 60, exp: now + 180 })), 'token-claim-invalid')).claim).toBe('iat');
  });

  it('refuses another issuer or audience, naming the claim', async () => {
    expect((await expectCode(await sign(), 'token-claim-invalid', { issuer: 'https://other.example' })).claim).toBe('iss');
    expect((await expectCode(await sign(), 'token-claim-invalid', { audience: 'mer_other' })).claim).toBe('aud');
    expect((await expectCode(await sign(claims({ aud: ['mer_shop', 'mer_other'] })), 'token-claim-invalid')).claim).toBe('aud');
  });

  it('refuses missing or malformed facepay claims, naming the claim', async () => {
    for (const [claim, value] of [
      ['sid', undefined],
      ['ref', 42],
      ['jti', undefined],
      ['sub', ''],
      ['amount', { value: '1299', currency: 'EUR' }],
      ['liveness', { score: 1, checks: 'all', assurance: 'features' }],
      ['match', { score: 0.2, threshold: 0.5, passed: false }],
    ] as const) {
      const error = await expectCode(await sign(claims({ [claim]: value })), 'token-claim-invalid');
      expect(error.claim).toBe(claim);
    }
  });

  it('refuses a token for another order or amount', async () => {
    await expectCode(await sign(), 'token-reference-mismatch', { reference: 'order_124' });
    await expectCode(await sign(), 'token-amount-mismatch', { amount: 1300 });
    await expectCode(await sign(), 'token-amount-mismatch', { currency: 'USD' });
  });

  it('checks the customer and a passed face match when asked', async () => {
    const match = { score: 0.82, threshold: 0.6, passed: true };
    const matched = await sign(claims({ match, liveness: { score: 0.9, checks: [], assurance: 'frames' } }));
    await expect(verifyFacePayToken(matched, { jwks, ...OPTIONS, customer: 'cus_42', requireMatch: true })).resolves.toMatchObject({ sub: 'cus_42', match, liveness: { assurance: 'frames' } });
    await expectCode(matched, 'customer-mismatch', { customer: 'cus_43' });
    await expectCode(await sign(claims({ sub: undefined })), 'customer-mismatch', { customer: 'cus_42' });
    // Liveness alone: fine unless a match is required.
    await expect(verifyFacePayToken(await sign(), { jwks, ...OPTIONS, requireMatch: false })).resolves.toBeDefined();
    await expectCode(await sign(), 'match-required', { requireMatch: true });
  });

  it('tells enrolment tokens and payment tokens apart', async () => {
    const enrolment = await sign(claims({ purpose: 'enroll', amount: { value: 0, currency: 'XXX' } }));
    const { amount: _amount, currency: _currency, ...common } = OPTIONS;
    await expect(verifyFacePayToken(enrolment, { jwks, ...common, purpose: 'enroll', customer: 'cus_42' })).resolves.toMatchObject({ purpose: 'enroll', sub: 'cus_42' });
    // Never as a payment, whatever amount the checker expects.
    await expectCode(enrolment, 'token-purpose-mismatch');
    await expectCode(enrolment, 'token-purpose-mismatch', { purpose: 'pay' });
    await expectCode(await sign(), 'token-purpose-mismatch', { purpose: 'enroll', amount: undefined, currency: undefined });
    expect((await expectCode(await sign(claims({ purpose: 'refund' })), 'token-claim-invalid')).claim).toBe('purpose');
    expect((await expectCode(await sign(claims({ liveness: { score: 1, checks: [], assurance: 'video' } })), 'token-claim-invalid')).claim).toBe('liveness');
  });

  it('reports an unreachable or broken JWKS as jwks-unavailable', async () => {
    const server = createServer((request, response) => {
      response.writeHead(request.url === '/broken' ? 200 : 500, { 'content-type': 'application/json' });
      response.end(request.url === '/broken' ? '{"keys": 1}' : '{}');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as { port: number };
    try {
      const token = await sign();
      await expectCode(token, 'jwks-unavailable', { jwks: undefined, jwksUrl: `http://127.0.0.1:${port}/failing` });
      await expectCode(token, 'jwks-unavailable', { jwks: undefined, jwksUrl: `http://127.0.0.1:${port}/broken` });
    } finally {
      await new Promise((done) => server.close(done));
    }
    await expectCode(await sign(), 'jwks-unavailable', { jwks: undefined, jwksUrl: `http://127.0.0.1:${port}/gone` });
  });

  it('fetches the JWKS from a URL', async () => {
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(jwks));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as { port: number };
    try {
      await expect(verifyFacePayToken(await sign(), { jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`, ...OPTIONS })).resolves.toMatchObject({ sid: 'ses_1' });
    } finally {
      await new Promise((done) => server.close(done));
    }
  });

  it('throws a TypeError on misuse', async () => {
    const token = await sign();
    const misuses: unknown[] = [
      { ...OPTIONS },
      { jwks, jwksUrl: 'https://facepay.example/.well-known/jwks.json', ...OPTIONS },
      { jwks, ...OPTIONS, issuer: '' },
      { jwks, ...OPTIONS, amount: 12.5 },
      { jwks, ...OPTIONS, amount: 0 },
      { jwks, ...OPTIONS, currency: 'eur' },
      { jwks, ...OPTIONS, clockTolerance: -1 },
      { jwks, ...OPTIONS, customer: '' },
      { jwks, ...OPTIONS, requireMatch: 'yes' },
      { jwks, ...OPTIONS, purpose: 'refund' },
      { jwks, ...OPTIONS, purpose: 'enroll' },
      { jwks, issuer: ISSUER, audience: MERCHANT, reference: 'order_123', purpose: 'enroll', requireMatch: true },
      { jwks: { keys: 'none' }, ...OPTIONS },
      undefined,
    ];
    for (const options of misuses) {
      await expect(verifyFacePayToken(token, options as VerifyFacePayTokenOptions)).rejects.toThrow(TypeError);
    }
    await expect(verifyFacePayToken(42 as unknown as string, { jwks, ...OPTIONS })).rejects.toThrow(TypeError);
  });
});

describe('consume', () => {
  const answer = (status: number, body: unknown): typeof fetch => async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const attempt = (fetchImpl: typeof fetch) => consume('a.b.c', { server: 'https://facepay.example', secretKey: 'sk_1', fetch: fetchImpl });

  it('posts the token with the secret key and resolves on 200', async () => {
    let seen: Request | undefined;
    const fetchImpl: typeof fetch = async (input, init) => {
      seen = new Request(input, init);
      return new Response('{"consumed":true}', { status: 200 });
    };
    await expect(attempt(fetchImpl)).resolves.toEqual({ consumed: true });
    expect(seen!.url).toBe('https://facepay.example/v1/tokens/consume');
    expect(seen!.method).toBe('POST');
    expect(seen!.headers.get('authorization')).toBe('Bearer sk_1');
    expect(await seen!.json()).toEqual({ token: 'a.b.c' });
  });

  it('maps the server answers to codes', async () => {
    const cases: [number, unknown, FacePayTokenErrorCode][] = [
      [409, { error: { code: 'token-consumed', message: 'used' } }, 'token-already-consumed'],
      [410, { error: { code: 'token-expired', message: 'late' } }, 'token-expired'],
      [400, { error: { code: 'token-invalid', message: 'no' } }, 'token-rejected'],
      [401, { error: { code: 'unauthorized', message: 'who' } }, 'unauthorized'],
      [500, { error: { code: 'internal-error', message: 'oops' } }, 'server-unavailable'],
      [409, { error: { code: '__proto__', message: 'odd' } }, 'server-unavailable'],
      [502, 'not json', 'server-unavailable'],
    ];
    for (const [status, body, code] of cases) {
      await expect(attempt(answer(status, body))).rejects.toMatchObject({ name: 'FacePayTokenError', code, status });
    }
    await expect(attempt(async () => Promise.reject(new TypeError('fetch failed')))).rejects.toMatchObject({ code: 'server-unavailable' });
  });

  it('throws a TypeError on misuse', async () => {
    await expect(consume('', { server: 'https://facepay.example', secretKey: 'sk_1' })).rejects.toThrow(TypeError);
    await expect(consume('a.b.c', { server: 'https://facepay.example', secretKey: '' })).rejects.toThrow(TypeError);
  });
});
