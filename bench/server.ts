// `pnpm bench:server`: the verify endpoint under concurrent load (requests/s, latency
// percentiles) against a real `facepay serve` process, and in-process signing and
// verifyFacePayToken throughput. Writes bench/results.json (not committed).
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { FileKeyStore, signToken, SessionStatus, type SessionRecord } from '@facepay/server';
import { verifyFacePayToken } from '@facepay/verify';
import { call, createSession, fetchChallenge, type TestSession } from '../packages/server/src/testing/http.js';
import { createMerchant, startServerProcess, tempDir } from '../packages/server/src/testing/processes.js';
import { synthesiseEvidence } from '../packages/server/src/testing/synthetic-face.js';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 3000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const TOKENS = Number(process.env.BENCH_TOKENS ?? 3000);

const loadBefore = loadavg()[0];
const data = await tempDir('bench');
const merchant = await createMerchant(data.path, 'https://shop.example');
const server = await startServerProcess({
  dataDir: data.path,
  // Production logging (info, two lines per request); limits out of the way of the load.
  env: { FACEPAY_LOG_LEVEL: 'info', FACEPAY_RATE_LIMIT_CLIENT: '100000000', FACEPAY_RATE_LIMIT_MERCHANT: '100000000', FACEPAY_FIXED_CHALLENGE: 'blink,turn-left' },
});

try {
  // One verify per session (a session takes one answer per challenge): open them all first.
  const opened: { session: TestSession; nonce: string; issuedAt: number }[] = [];
  const setupStart = performance.now();
  for (let i = 0; i < SESSIONS; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, SESSIONS - i) }, async () => {
        const session = await createSession(server.url, merchant);
        const issuedAt = Date.now();
        return { session, nonce: (await fetchChallenge(server.url, session)).nonce, issuedAt };
      }),
    );
    opened.push(...batch);
  }
  const setupS = (performance.now() - setupStart) / 1000;

  // A realistic evidence (blink, turn-left: ~4 s at 30 fps), patched per session.
  const template = synthesiseEvidence({ challenge: { nonce: 'NONCE', steps: ['blink', 'turn-left'] }, sessionId: 'SESSION', startedAt: 1 });
  const json = JSON.stringify(template);
  let next = 0;
  const result = await autocannon({
    url: server.url,
    connections: CONNECTIONS,
    amount: SESSIONS,
    requests: [
      {
        method: 'POST',
        setupRequest(request) {
          const { session, nonce, issuedAt } = opened[next++ % opened.length]!;
          return {
            ...request,
            path: `/v1/sessions/${session.id}/verify`,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${session.client_secret}` },
            body: json.replace('"SESSION"', JSON.stringify(session.id)).replace('"NONCE"', JSON.stringify(nonce)).replace('"startedAt":1', `"startedAt":${issuedAt}`),
          };
        },
      },
    ],
  });
  const statuses = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count]));
  const check = await call(server.url, `/v1/sessions/${opened[0]!.session.id}/challenge`, { auth: opened[0]!.session.client_secret });

  // Signing and offline verification, in this process.
  const keys = await FileKeyStore.open(join(data.path, 'bench-keys'));
  const session: SessionRecord = {
    id: 'ses_bench', version: 1, merchantId: merchant.id, clientSecretHash: '00', amount: 1299, currency: 'EUR', reference: 'order_1',
    purpose: 'pay', status: SessionStatus.Pending, attempts: 1, createdAt: Date.now(), expiresAt: Date.now() + 180_000,
  };
  const evaluation = { verdict: 'live' as const, score: 0.9, checks: [{ name: 'planarity' as const, passed: true, value: 0.03 }], reasons: [] };
  const signStart = performance.now();
  const tokens: string[] = [];
  for (let i = 0; i < TOKENS; i++) tokens.push((await signToken(keys, { issuer: 'https://facepay.example', lifetimeS: 120 }, session, evaluation, Date.now())).token);
  const signOps = TOKENS / ((performance.now() - signStart) / 1000);

  const jwks = { keys: await keys.publicKeys() };
  const options = { jwks, issuer: 'https://facepay.example', audience: merchant.id, reference: 'order_1', amount: 1299, currency: 'EUR' };
  const verifyStart = performance.now();
  for (const token of tokens) await verifyFacePayToken(token, options);
  const verifyOps = TOKENS / ((performance.now() - verifyStart) / 1000);

  const results = {
    machine: `${process.platform} ${process.arch}, ${cpus().length} cores, node ${process.version}`,
    // Other work on the machine skews every figure: the 1-minute load average before and after.
    load: { before: loadBefore, after: loadavg()[0] },
    verify: {
      requests: result.requests.total,
      connections: CONNECTIONS,
      evidenceBytes: json.length,
      requestsPerSecond: result.requests.average,
      latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
      statuses,
      errors: result.errors,
      timeouts: result.timeouts,
    },
    setup: { sessions: SESSIONS, seconds: setupS, sessionAndChallengePerSecond: SESSIONS / setupS },
    tokens: { signToken: signOps, verifyFacePayToken: verifyOps },
    sessionAfterLoad: check.body,
  };
  console.log(JSON.stringify(results, null, 2));
  await writeFile(join(import.meta.dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
} finally {
  await server.stop();
  await data.remove();
}
