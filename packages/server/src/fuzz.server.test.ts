import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { evaluate } from '@facepay/liveness';
import { EVIDENCE_MAX_BYTES, Verdict, type Evidence } from '@facepay/protocol';
import { VERIFY_BODY_LIMIT } from './limits.js';
import { ORDER, call, createSession, fetchChallenge, type Answer } from './testing/http.js';
import { createMerchant, startServerProcess, tempDir, type ServerProcess, type TestMerchant } from './testing/processes.js';
import { synthesiseEvidence } from './testing/synthetic-face.js';

// Property-based fuzzing of the live server: whatever arrives, the answer is a coded 4xx
// (never a 5xx, never a hang), and nothing invalid is accepted.

let data: Awaited<ReturnType<typeof tempDir>>;
let server: ServerProcess;
let merchant: TestMerchant;

beforeAll(async () => {
  data = await tempDir('fuzz');
  merchant = await createMerchant(data.path, 'https://shop.example');
  server = await startServerProcess({ dataDir: data.path, env: { FACEPAY_RATE_LIMIT_CLIENT: '1000000', FACEPAY_RATE_LIMIT_MERCHANT: '1000000' } });
});

afterAll(async () => {
  await server?.stop();
  await data?.remove();
});

/** Every refusal has the error shape and a 4xx status. */
function expectRefusal(answer: Answer): void {
  expect(answer.status, JSON.stringify(answer.body)).toBeGreaterThanOrEqual(400);
  expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
  expect(answer.body).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }) });
}

const codePoints = (text: string) => [...text].length;

/** What the session schema accepts, written independently of it. */
/** What the server must answer to a session body: created, refused as not enrolled (none is, here), or invalid. */
function expectedAnswer(body: unknown): 201 | 'customer-not-enrolled' | 'invalid-request' {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'invalid-request';
  const order = body as Record<string, unknown>;
  const allowed = ['amount', 'currency', 'reference', 'customer', 'purpose', 'match'];
  if (Object.keys(order).some((key) => !allowed.includes(key))) return 'invalid-request';
  const text = (value: unknown) => typeof value === 'string' && codePoints(value) >= 1 && codePoints(value) <= 200;
  const currency = (value: unknown) => typeof value === 'string' && /^[A-Z]{3}$/.test(value);
  const shape =
    (order.amount === undefined || (Number.isSafeInteger(order.amount) && (order.amount as number) >= 0)) &&
    (order.currency === undefined || currency(order.currency)) &&
    text(order.reference) &&
    (order.customer === undefined || (typeof order.customer === 'string' && /^[A-Za-z0-9._:@+-]{1,128}$/.test(order.customer))) &&
    (order.purpose === undefined || order.purpose === 'pay' || order.purpose === 'enroll') &&
    (order.match === undefined || order.match === 'if-enrolled' || order.match === 'required');
  if (!shape) return 'invalid-request';
  if (order.purpose === 'enroll') {
    return order.customer !== undefined && (order.amount === undefined || order.amount === 0) && order.match === undefined ? 201 : 'invalid-request';
  }
  if (order.amount === undefined || order.amount === 0 || order.currency === undefined) return 'invalid-request';
  if (order.match === 'required') return order.customer === undefined ? 'invalid-request' : 'customer-not-enrolled';
  return 201;
}

const anyValue = fc.oneof(fc.jsonValue(), fc.constantFrom(null, '', 0, -1, 1.5, 2 ** 53, 'EUR', '__proto__', [], {}));

/** A valid evidence with a random value set or removed at a random path. */
function mutated(evidence: Evidence): fc.Arbitrary<unknown> {
  const paths: (string | number)[][] = [];
  const walk = (value: unknown, path: (string | number)[]) => {
    paths.push(path);
    if (Array.isArray(value)) value.slice(0, 3).forEach((item, i) => walk(item, [...path, i]));
    else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) walk(item, [...path, key]);
  };
  walk(evidence, []);
  return fc.tuple(fc.constantFrom(...paths), anyValue, fc.boolean(), fc.constantFrom('', '__proto__', 'extra', 'constructor')).map(([path, value, remove, key]) => {
    const copy = structuredClone(evidence) as unknown as Record<string | number, unknown>;
    if (path.length === 0) return value;
    let parent: Record<string | number, unknown> = copy;
    for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
    const last = path.at(-1)!;
    if (remove) delete parent[last];
    else parent[last] = value;
    // An own property even for `__proto__`, so that it reaches the JSON.
    if (key) Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
    return copy;
  });
}

describe('fuzzing the live server', () => {
  it('creates a session exactly when the order is valid, and answers the coded refusal otherwise', async () => {
    const field = <T>(valid: fc.Arbitrary<T>) => fc.oneof(valid, anyValue);
    const order = fc.record(
      {
        amount: field(fc.oneof(fc.constant(0), fc.integer({ min: -10, max: 2 ** 53 }))),
        currency: field(fc.constantFrom('EUR', 'USD', 'eur', 'EU', 'EURO', 'E1R')),
        reference: field(fc.string({ maxLength: 260, unit: 'grapheme' })),
        customer: field(fc.oneof(fc.string({ maxLength: 210 }), fc.stringMatching(/^[A-Za-z0-9._:@+-]{1,130}$/))),
        purpose: field(fc.constantFrom('pay', 'enroll', 'refund')),
        match: field(fc.constantFrom('if-enrolled', 'required', 'always')),
        extra: anyValue,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(order, fc.jsonValue()), async (body) => {
        const answer = await call(server.url, '/v1/sessions', { auth: merchant.secret_key, json: body });
        const expected = expectedAnswer(body);
        if (expected === 201) {
          expect(answer.status, JSON.stringify(body)).toBe(201);
        } else {
          expectRefusal(answer);
          expect(answer.body.error.code, JSON.stringify(body)).toBe(expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses any malformed evidence before it reaches the engine, whatever its shape', async () => {
    const session = await createSession(server.url, merchant);
    // No open challenge: a body that passes the schema is answered challenge-missing.
    const template = synthesiseEvidence({ challenge: { nonce: 'n', steps: ['blink'] }, sessionId: session.id, startedAt: Date.now() });
    template.frames = template.frames.slice(0, 4);
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated(template), fc.jsonValue()), async (body) => {
        const answer = await call(server.url, `/v1/sessions/${session.id}/verify`, { auth: session.client_secret, json: body });
        expectRefusal(answer);
        // invalid-request: JSON the body parser refuses (a `__proto__` key, for one).
        expect(['evidence-invalid', 'challenge-missing', 'invalid-request']).toContain(answer.body.error.code);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts evidence only when the engine, run here on the same evidence, says live', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 0, max: 200 }), fc.nat(), async (seed, backdate, pick) => {
        const session = await createSession(server.url, merchant);
        const challenge = await fetchChallenge(server.url, session);
        const evidence = synthesiseEvidence({ challenge, sessionId: session.id, startedAt: Date.now() - backdate, seed });
        // Only frames already in the past (the span must fit since the challenge was issued).
        evidence.frames = evidence.frames.filter((frame) => frame.t <= backdate);
        const body = fc.sample(mutated(evidence), { numRuns: 1, seed: pick })[0];
        const answer = await call(server.url, `/v1/sessions/${session.id}/verify`, { auth: session.client_secret, json: body });
        if (answer.status === 200) {
          expect(evaluate(body as Evidence, challenge).verdict).toBe(Verdict.Live);
        } else if (answer.status === 422) {
          expect(answer.body).toMatchObject({ status: 'failed', code: 'liveness-failed', retryable: expect.any(Boolean) });
        } else {
          expectRefusal(answer);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('answers raw garbage bodies on every POST endpoint with a coded 4xx', async () => {
    const session = await createSession(server.url, merchant);
    await fetchChallenge(server.url, session);
    const endpoints: [string, string][] = [
      ['/v1/sessions', merchant.secret_key],
      [`/v1/sessions/${session.id}/verify`, session.client_secret],
      ['/v1/tokens/consume', merchant.secret_key],
    ];
    const garbage = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.constantFrom('{', '[1,', '{"a":1,}', 'null', '"{}"', '1e999', '-0', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"x":1}}}', '\u0000', '\ufeff{}'),
      // Nesting deep enough to overflow a recursive parser or validator, within the body limits.
      fc.oneof(fc.nat({ max: 1000 }), fc.constantFrom(7000, 120_000)).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
      fc.oneof(fc.nat({ max: 1000 }), fc.constantFrom(2800, 45_000)).map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
    );
    const contentType = fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'multipart/form-data; boundary=x', '');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...endpoints), garbage, contentType, async ([path, auth], raw, type) => {
        const answer = await call(server.url, path, { auth, raw, headers: type ? { 'content-type': type } : {} });
        expectRefusal(answer);
      }),
      { numRuns: 200 },
    );
    // Nothing was polluted along the way: the server still answers normally.
    expect((await call(server.url, '/v1/sessions', { auth: merchant.secret_key, json: ORDER })).status).toBe(201);
  });

  it('answers random credentials and session ids with a coded 4xx', async () => {
    const session = await createSession(server.url, merchant);
    const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 600 });
    await fc.assert(
      fc.asyncProperty(printable, printable, fc.boolean(), async (id, secret, realId) => {
        const path = `/v1/sessions/${realId ? session.id : encodeURIComponent(id)}/challenge`;
        const answer = await call(server.url, path, { headers: { authorization: `Bearer ${secret}` } });
        expectRefusal(answer);
        expect(['unauthorized', 'not-found']).toContain(answer.body.error.code);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses oversized bodies with 413 before reading them whole', async () => {
    const session = await createSession(server.url, merchant);
    const big = await call(server.url, `/v1/sessions/${session.id}/verify`, { auth: session.client_secret, raw: ' '.repeat(VERIFY_BODY_LIMIT + 1), headers: { 'content-type': 'application/json' } });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload-too-large');
    const order = await call(server.url, '/v1/sessions', { auth: merchant.secret_key, json: { ...ORDER, reference: 'x'.repeat(20_000) } });
    expect(order.status).toBe(413);
    expect(order.body.error.code).toBe('payload-too-large');

    // Under the body limit, over the evidence limit once the whitespace is gone.
    await fetchChallenge(server.url, session);
    const evidence = synthesiseEvidence({ challenge: { nonce: 'n', steps: ['blink'] }, sessionId: session.id, startedAt: Date.now() });
    const size = JSON.stringify(evidence).length;
    evidence.camera.settings = { padding: 'x'.repeat(EVIDENCE_MAX_BYTES - size + 100) };
    const tooLarge = await call(server.url, `/v1/sessions/${session.id}/verify`, { auth: session.client_secret, json: evidence });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe('evidence-too-large');
    // The refused body took no attempt: the challenge is still open.
    const after = await call(server.url, `/v1/sessions/${session.id}/verify`, { auth: session.client_secret, json: { ...evidence, camera: { label: 'c', width: 1, height: 1 } } });
    expect(after.body.error.code).toBe('evidence-challenge-mismatch');
  });
});
