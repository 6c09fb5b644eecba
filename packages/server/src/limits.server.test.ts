import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChallenge } from '@facepay/liveness';
import { ORDER, call, createSession, fetchChallenge } from './testing/http.js';
import { createMerchant, runCli, startServerProcess, tempDir, type ServerProcess, type TestMerchant } from './testing/processes.js';

// Rate limits, merchant challenge settings, and the start-up refusals, against real processes.

const ORIGIN = 'https://shop.example';
let data: Awaited<ReturnType<typeof tempDir>>;
let server: ServerProcess;
let merchant: TestMerchant;

beforeAll(async () => {
  data = await tempDir('limits');
  merchant = await createMerchant(data.path, ORIGIN, ['--pool', 'blink,nod,smile', '--challenge-length', '2']);
  server = await startServerProcess({ dataDir: data.path, env: { FACEPAY_RATE_LIMIT_CLIENT: '6', FACEPAY_RATE_LIMIT_MERCHANT: '30' } });
});

afterAll(async () => {
  await server?.stop();
  await data?.remove();
});

/** Limits count per calendar minute: start a burst well inside one. */
async function awayFromWindowEdge(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 15_000) await new Promise((done) => setTimeout(done, left + 50));
}

/** Successes (at most `limit`, fewer when earlier requests counted), then only 429s. */
function expectLimited(statuses: number[], limit: number): void {
  const allowed = statuses.findIndex((status) => status === 429);
  expect(allowed, statuses.join(' ')).toBeGreaterThanOrEqual(0);
  expect(allowed).toBeLessThanOrEqual(limit);
  expect(statuses.slice(0, allowed).every((status) => status < 300)).toBe(true);
  expect(statuses.slice(allowed).every((status) => status === 429)).toBe(true);
}

describe('limits and settings', () => {
  it("draws challenges from the merchant's pool, deterministic in the nonce", async () => {
    const session = await createSession(server.url, merchant);
    for (let i = 0; i < 3; i++) {
      const challenge = await fetchChallenge(server.url, session);
      expect(challenge.steps).toEqual(createChallenge(challenge.nonce, { pool: ['blink', 'nod', 'smile'], length: 2 }));
    }
  });

  it('limits requests per client address on the browser endpoints, keeping CORS on the refusal', async () => {
    const session = await createSession(server.url, merchant);
    await awayFromWindowEdge();
    const answers = [];
    // A forged X-Forwarded-For does not make a new client: no proxy is trusted by default.
    for (let i = 0; i < 8; i++) {
      const headers = { origin: ORIGIN, 'x-forwarded-for': `203.0.113.${i}` };
      answers.push(await call(server.url, `/v1/sessions/${session.id}/challenge`, { auth: session.client_secret, headers }));
    }
    expectLimited(answers.map((answer) => answer.status), 6);
    const refused = answers.at(-1)!;
    expect(refused.body.error.code).toBe('rate-limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  });

  it('limits requests per merchant', async () => {
    await awayFromWindowEdge();
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) statuses.push((await call(server.url, '/v1/sessions', { auth: merchant.secret_key, json: ORDER })).status);
    expectLimited(statuses, 30);
    // Another merchant has its own budget.
    const other = await createMerchant(data.path, ORIGIN);
    expect((await call(server.url, '/v1/sessions', { auth: other.secret_key, json: ORDER })).status).toBe(201);
  });

  it('refuses to start with the fixed challenge in production, or with an unknown step', async () => {
    const production = await runCli(['serve', '--port', '0', '--data', data.path], { FACEPAY_FIXED_CHALLENGE: 'blink,turn-left', NODE_ENV: 'production' });
    expect(production.code).toBe(1);
    expect(production.stdout).toBe('');
    expect(production.stderr).toContain('config-invalid');
    expect(production.stderr).toContain('FACEPAY_FIXED_CHALLENGE');
    const unknown = await runCli(['serve', '--port', '0', '--data', data.path], { FACEPAY_FIXED_CHALLENGE: 'blink,jump' });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('config-invalid');
  });

  it('refuses bad CLI input with its usage and exit code 2', async () => {
    const cases = [
      ['merchant', 'create', '--name', 'x', '--data', data.path],
      ['merchant', 'create', '--name', 'x', '--origin', 'http://shop.example', '--data', data.path],
      ['merchant', 'create', '--name', 'x', '--origin', ORIGIN, '--pool', 'blink,jump', '--data', data.path],
      ['merchant', 'create', '--name', 'x', '--origin', ORIGIN, '--face-assurance', 'video', '--data', data.path],
      ['serve', '--port', 'eighty'],
    ];
    for (const args of cases) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.length).toBeGreaterThan(0);
    }
  });
});
