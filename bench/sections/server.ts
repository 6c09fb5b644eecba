import { join } from 'node:path';
import autocannon from 'autocannon';
import { FileKeyStore, signToken, SessionStatus, type SessionRecord } from '@facepay/server';
import { verifyFacePayToken } from '@facepay/verify';
import { call, createSession, fetchChallenge, type TestSession } from '../../packages/server/src/testing/http.js';
import { createMerchant, startServerProcess, tempDir } from '../../packages/server/src/testing/processes.js';
import { synthesiseEvidence } from '../../packages/server/src/testing/synthetic-face.js';
import type { BenchContext } from '../context.js';
import type { Row } from '../results.js';
import { single, text } from '../rows.js';

/** Load sizes; the environment overrides them as it did for the standalone script. */
function scale(quick: boolean): { sessions: number; connections: number; tokens: number } {
  const fromEnv = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
  return {
    sessions: fromEnv('BENCH_SESSIONS', quick ? 100 : 3000),
    connections: fromEnv('BENCH_CONNECTIONS', quick ? 8 : 32),
    tokens: fromEnv('BENCH_TOKENS', quick ? 100 : 3000),
  };
}

/**
 * The verify endpoint under concurrent load (autocannon, bounded by a request count)
 * against a real `facepay serve` process on loopback, with a realistic evidence per
 * session; then signing and `verifyFacePayToken` throughput in this process.
 */
export async function run(ctx: BenchContext): Promise<Row[]> {
  const { sessions, connections, tokens: tokenCount } = scale(ctx.options.quick);
  const data = await tempDir('bench');
  try {
    const merchant = await createMerchant(data.path, 'https://shop.example');
    const server = await startServerProcess({
      dataDir: data.path,
      // Production logging (info, two lines per request); limits out of the way of the load.
      env: { FACEPAY_LOG_LEVEL: 'info', FACEPAY_RATE_LIMIT_CLIENT: '100000000', FACEPAY_RATE_LIMIT_MERCHANT: '100000000', FACEPAY_FIXED_CHALLENGE: 'blink,turn-left' },
    });
    try {
      // One verify per session (a session takes one answer per challenge): open them all first.
      ctx.log(`server: opening ${sessions} sessions`);
      const opened: { session: TestSession; nonce: string; issuedAt: number }[] = [];
      const setupStart = performance.now();
      for (let i = 0; i < sessions; i += 50) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(50, sessions - i) }, async () => {
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
      // The server refuses evidence spanning more time than has passed since its challenge was
      // issued (evidence-stale): wait until the last session opened is old enough.
      const spanMs = template.frames.at(-1)!.t;
      const wait = opened.at(-1)!.issuedAt + spanMs + 500 - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      let next = 0;
      ctx.log(`server: ${sessions} verify requests over ${connections} connections`);
      const result = await autocannon({
        url: server.url,
        connections,
        amount: sessions,
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
      const statuses = Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => `${code}: ${stats.count}`);
      // Anything but a decision (200 verified, 422 failed) means the load timed an error path.
      const codes = Object.keys(result.statusCodeStats ?? {});
      if (codes.some((code) => code !== '200' && code !== '422') || result.errors || result.timeouts) {
        throw new Error(`verify under load answered ${statuses.join(', ')} (errors ${result.errors}, timeouts ${result.timeouts}), not decisions`);
      }
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
      for (let i = 0; i < tokenCount; i++) tokens.push((await signToken(keys, { issuer: 'https://facepay.example', lifetimeS: 120 }, session, evaluation, { assurance: 'features' }, Date.now())).token);
      const signOps = tokenCount / ((performance.now() - signStart) / 1000);
      const jwks = { keys: await keys.publicKeys() };
      const options = { jwks, issuer: 'https://facepay.example', audience: merchant.id, reference: 'order_1', amount: 1299, currency: 'EUR' };
      const verifyStart = performance.now();
      for (const token of tokens) await verifyFacePayToken(token, options);
      const verifyOps = tokenCount / ((performance.now() - verifyStart) / 1000);

      const load = `${result.requests.total} requests in ${result.duration.toFixed(1)} s, ${connections} connections, evidence ${json.length.toLocaleString('en')} B`;
      return [
        single('verify-rps', 'POST /v1/sessions/:id/verify, requests per second', 'req/s', result.requests.total / result.duration, load),
        single('verify-p50', 'verify latency p50', 'ms', result.latency.p50, `p90 ${result.latency.p90} ms (autocannon)`),
        single('verify-p99', 'verify latency p99', 'ms', result.latency.p99, `max ${result.latency.max} ms`),
        text('verify-statuses', 'verify answers', statuses.join(', '), `errors ${result.errors}, timeouts ${result.timeouts}; a verified session's challenge afterwards: ${check.status}`),
        single('session-setup', 'create session + fetch challenge, per second', 'ops/s', sessions / setupS, `${sessions} sessions, 50 at a time`),
        single('sign-token', 'signToken (ES256), in process', 'ops/s', signOps, `${tokenCount} tokens`),
        single('verify-token', 'verifyFacePayToken, in process', 'ops/s', verifyOps, `${tokenCount} tokens`),
      ];
    } finally {
      await server.stop();
    }
  } finally {
    await data.remove();
  }
}
