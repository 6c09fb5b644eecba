import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, importJWK, type JWK } from 'jose';
import { ORDER, call, createSession, fetchChallenge, type TestSession } from './testing/http.js';
import { createMerchant, startRedis, startServerProcess, tempDir, type RedisProcess, type ServerProcess, type TestMerchant } from './testing/processes.js';
import { synthesiseEvidence } from './testing/synthetic-face.js';

// State that must outlive a process (SQLite) or be shared by processes (Redis).

/** A token signed with the server's key from its data directory (see tokens.server.test.ts). */
async function mint(dataDir: string, issuer: string, audience: string): Promise<string> {
  const dir = join(dataDir, 'keys');
  const [name] = (await readdir(dir)).filter((file) => file.endsWith('.json'));
  const file = JSON.parse(await readFile(join(dir, name!), 'utf8')) as { kid: string; private_jwk: JWK };
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: issuer, aud: audience, sid: 'ses_x', ref: ORDER.reference, amount: { value: ORDER.amount, currency: ORDER.currency }, liveness: { score: 1, checks: [], assurance: 'features' }, iat, exp: iat + 120, jti: `tok_${Date.now()}_${Math.random()}` })
    .setProtectedHeader({ alg: 'ES256', typ: 'facepay+jwt', kid: file.kid })
    .sign(await importJWK(file.private_jwk, 'ES256'));
}

/** One verify attempt that passes the checks before the engine but is out of time: it counts. */
async function staleAttempt(base: string, session: TestSession): Promise<number> {
  const challenge = await fetchChallenge(base, session);
  const evidence = synthesiseEvidence({ challenge, sessionId: session.id, startedAt: Date.now() - 120_000 });
  const answer = await call(base, `/v1/sessions/${session.id}/verify`, { auth: session.client_secret, json: evidence });
  expect(answer.body.error?.code).toBe('evidence-stale');
  return answer.status;
}

/** Fires the same request at the given servers all at once; the statuses, in order. */
async function race(bases: string[], path: string, options: Parameters<typeof call>[2]): Promise<number[]> {
  return Promise.all(bases.map((base) => call(base, path, options).then((answer) => answer.status)));
}

describe('SQLite: a restart keeps keys, merchants, sessions, attempts and consumed tokens', () => {
  let data: Awaited<ReturnType<typeof tempDir>>;
  let server: ServerProcess;

  beforeAll(async () => {
    data = await tempDir('restart');
  });

  afterAll(async () => {
    await server?.stop();
    await data?.remove();
  });

  it('restarts into the same state', async () => {
    const merchant = await createMerchant(data.path, 'https://shop.example');
    server = await startServerProcess({ dataDir: data.path });
    const jwks = (await call(server.url, '/.well-known/jwks.json')).body;
    const session = await createSession(server.url, merchant);
    expect(await staleAttempt(server.url, session)).toBe(400);
    const token = await mint(data.path, server.url, merchant.id);
    expect((await call(server.url, '/v1/tokens/consume', { auth: merchant.secret_key, json: { token } })).status).toBe(200);
    const issuer = server.url;
    await server.stop();

    // Same port, so the default issuer (the server's URL) stays the same.
    server = await startServerProcess({ dataDir: data.path, args: ['--port', new URL(issuer).port] });
    expect(server.url).toBe(issuer);
    expect((await call(server.url, '/.well-known/jwks.json')).body).toEqual(jwks);
    const again = await call(server.url, '/v1/tokens/consume', { auth: merchant.secret_key, json: { token } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('token-consumed');
    // The session and its first attempt survived: two more, then no more.
    expect(await staleAttempt(server.url, session)).toBe(400);
    expect(await staleAttempt(server.url, session)).toBe(400);
    const fourth = await call(server.url, `/v1/sessions/${session.id}/challenge`, { auth: session.client_secret });
    expect(fourth.body.error.code).toBe('attempts-exceeded');
    expect((await createSession(server.url, merchant)).status).toBe('pending');
  });

  it('lets exactly one of many concurrent attempts take a challenge', async () => {
    const merchant = await createMerchant(data.path, 'https://shop.example');
    const session = await createSession(server.url, merchant);
    const challenge = await fetchChallenge(server.url, session);
    const evidence = synthesiseEvidence({ challenge, sessionId: session.id, startedAt: Date.now() - 120_000 });
    const statuses = await race(Array(8).fill(server.url), `/v1/sessions/${session.id}/verify`, { auth: session.client_secret, json: evidence });
    expect(statuses.filter((status) => status === 400)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(7);
  });
});

describe('Redis: two instances behind one load balancer agree', () => {
  const ISSUER = 'https://facepay.test';
  let redis: RedisProcess;
  let data: Awaited<ReturnType<typeof tempDir>>;
  let a: ServerProcess;
  let b: ServerProcess;
  let merchant: TestMerchant;

  beforeAll(async () => {
    redis = await startRedis();
    data = await tempDir('redis-keys');
    merchant = await createMerchant(data.path, 'https://shop.example', ['--redis', redis.url]);
    // Both read the signing key from one directory (a shared volume, in production) and
    // sign with one issuer.
    a = await startServerProcess({ dataDir: data.path, args: ['--redis', redis.url], env: { FACEPAY_ISSUER: ISSUER } });
    b = await startServerProcess({ dataDir: data.path, args: ['--redis', redis.url], env: { FACEPAY_ISSUER: ISSUER } });
  });

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await redis?.stop();
    await data?.remove();
  });

  it('keeps nothing in SQLite: the data directory holds only keys', async () => {
    expect((await readdir(data.path)).sort()).toEqual(['keys', 'template.key']);
  });

  it('shares merchants and sessions: created on one, continued on the other', async () => {
    const session = await createSession(a.url, merchant);
    const challenge = await fetchChallenge(b.url, session);
    expect(challenge.nonce).toBeTruthy();
    expect(await staleAttempt(a.url, session)).toBe(400);
    expect(await staleAttempt(b.url, session)).toBe(400);
    expect(await staleAttempt(a.url, session)).toBe(400);
    expect((await call(b.url, `/v1/sessions/${session.id}/challenge`, { auth: session.client_secret })).body.error.code).toBe('attempts-exceeded');
  });

  it('consumes a token exactly once when both instances are asked at the same time', async () => {
    for (let round = 0; round < 5; round++) {
      const token = await mint(data.path, ISSUER, merchant.id);
      const statuses = await race([a.url, b.url, a.url, b.url, a.url, b.url], '/v1/tokens/consume', { auth: merchant.secret_key, json: { token } });
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      expect(statuses.filter((status) => status === 409)).toHaveLength(5);
    }
  });

  it('lets exactly one of concurrent attempts on both instances take a challenge', async () => {
    const session = await createSession(b.url, merchant);
    const challenge = await fetchChallenge(a.url, session);
    const evidence = synthesiseEvidence({ challenge, sessionId: session.id, startedAt: Date.now() - 120_000 });
    const statuses = await race([a.url, b.url, a.url, b.url, a.url, b.url], `/v1/sessions/${session.id}/verify`, { auth: session.client_secret, json: evidence });
    expect(statuses.filter((status) => status === 400)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(5);
  });

  it('answers 500 internal-error, not a hang, when Redis goes away', async () => {
    await redis.stop();
    const answer = await call(a.url, '/v1/sessions', { auth: merchant.secret_key, json: ORDER });
    expect(answer.status).toBe(500);
    expect(answer.body.error.code).toBe('internal-error');
  });
});
