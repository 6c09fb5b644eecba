import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, Request } from 'playwright-core';
import { createMerchant, openStore, startServer, type CreatedMerchant, type RunningServer } from '@facepay/server';
import { MATCH_THRESHOLD, cosineSimilarity } from '@facepay/face';
import { stepTimes } from '@facepay/liveness';
import { MATCH_SAMPLE_STEP_LEAD_MS, decodeTemplate, type Evidence } from '@facepay/protocol';
import { verifyFacePayToken } from '@facepay/verify';
import { ensureClips, launchChromium, startRepoServer, withLeadIn, type ClipSet, type StaticServer } from '@facepay/testkit';

// Paying with *your* face, end to end: the script-tag element in Debian's Chromium with a
// generated clip as the camera, the vision worker embedding real pixels with the real
// model, the real facepay server (enrolment stored encrypted, 1:1 match, token), and the
// merchant's verifier.

const CUSTOMER = 'cus_grace';
let clips: ClipSet;
let page: StaticServer;
let data: string;
let features: CreatedMerchant;
let frames: CreatedMerchant;
let server: RunningServer | undefined;
const browsers: Browser[] = [];

/** (Re)starts the facepay server on the same data with another fixed challenge (the clips' order). */
async function serve(challenge: string): Promise<RunningServer> {
  await server?.close();
  server = await startServer({ port: 0, dataDir: data, env: { FACEPAY_FIXED_CHALLENGE: challenge, FACEPAY_LOG_LEVEL: 'warn' } });
  return server;
}

beforeAll(async () => {
  clips = await ensureClips();
  page = await startRepoServer();
  data = await mkdtemp(join(tmpdir(), 'facepay-match-'));
  const store = await openStore({ dataDir: data });
  features = await createMerchant(store, { name: 'Features shop', origins: [page.url] });
  frames = await createMerchant(store, { name: 'Frames shop', origins: [page.url], faceAssurance: 'frames' });
  await store.close();
}, 1_200_000);

afterAll(async () => {
  for (const browser of browsers) await browser.close();
  await server?.close();
  await page?.close();
  if (data) await rm(data, { recursive: true, force: true });
});

interface SessionInput {
  merchant: CreatedMerchant;
  purpose?: 'pay' | 'enroll';
  customer?: string;
  match?: 'required' | 'if-enrolled';
}

async function createSession(input: SessionInput): Promise<{ status: number; body: Record<string, unknown>; reference: string }> {
  const reference = `order_${Math.random().toString(36).slice(2, 10)}`;
  const response = await fetch(`${server!.url}/v1/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${input.merchant.secret_key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      reference,
      ...(input.purpose === 'enroll' ? { purpose: 'enroll' } : { amount: 1299, currency: 'EUR' }),
      ...(input.customer && { customer: input.customer }),
      ...(input.match && { match: input.match }),
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, reference };
}

interface Outcome {
  type: 'facepay-verified' | 'facepay-failed' | 'facepay-error';
  detail: Record<string, unknown>;
  page: Page;
}

/**
 * Runs the element on `clip` for a new session; `tamper` may rewrite the evidence on its
 * way to the server (an attacker controlling the page).
 */
async function run(
  clip: string,
  input: SessionInput,
  tamper?: (evidence: Record<string, unknown>) => Record<string, unknown>,
): Promise<Outcome & { reference: string; evidence: () => Record<string, unknown> | undefined }> {
  const session = await createSession(input);
  expect(session.status).toBe(201);
  const lead = Math.max(0.3, Math.round((clips.clips[clip]!.actions[0]!.start - 0.1) * 10) / 10);
  const browser = await launchChromium({ fakeCamera: await withLeadIn(clips.path(clip, 'y4m'), lead) });
  browsers.push(browser);
  const tab = await browser.newPage();
  let sent: Record<string, unknown> | undefined;
  await tab.route('**/verify', async (route, request: Request) => {
    // Never leave the request hanging, even when tampering throws (the test then fails on `sent`).
    try {
      const evidence = JSON.parse(request.postData() ?? 'null') as Record<string, unknown>;
      sent = tamper ? tamper(evidence) : evidence;
      await route.continue({ postData: JSON.stringify(sent) });
    } catch {
      await route.abort();
    }
  });
  await tab.goto(`${page.url}/packages/testkit/pages/element.html`);
  const outcome = await tab.evaluate(
    (attrs) =>
      new Promise<{ type: string; detail: Record<string, unknown> }>((resolve) => {
        for (const type of ['facepay-verified', 'facepay-failed', 'facepay-error']) {
          document.addEventListener(type, (event) => resolve({ type, detail: (event as CustomEvent).detail }));
        }
        const el = document.createElement('facepay-checkout');
        for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
        document.getElementById('slot')!.append(el);
        void (el as unknown as { start(): Promise<void> }).start();
      }),
    {
      session: String(session.body.id),
      'client-secret': String(session.body.client_secret),
      server: server!.url,
      amount: '1299',
      currency: 'EUR',
      mode: input.purpose ?? 'pay',
    },
  );
  return { ...(outcome as Omit<Outcome, 'page'>), page: tab, reference: session.reference, evidence: () => sent };
}

async function claims(token: string, merchant: CreatedMerchant, reference: string, options: Record<string, unknown> = {}) {
  return verifyFacePayToken(token, {
    jwksUrl: `${server!.url}/.well-known/jwks.json`,
    issuer: server!.issuer,
    audience: merchant.id,
    reference,
    amount: 1299,
    currency: 'EUR',
    ...options,
  });
}

describe('pay with your face (features mode: only templates leave the device)', () => {
  it('enrols Grace from a live check (templates only, no crops)', async () => {
    await serve('turn-left,blink');
    const enrol = await run('grace-live-turn-left-blink', { merchant: features, purpose: 'enroll', customer: CUSTOMER });
    expect(enrol.type, JSON.stringify(enrol.detail)).toBe('facepay-verified');
    const samples = (enrol.evidence()!.match as { samples: Array<{ template: string; crop?: string }> }).samples;
    expect(samples.length).toBeGreaterThanOrEqual(2);
    expect(samples.every((s) => s.crop === undefined)).toBe(true);
  }, 300_000);

  it('a live clip of the same person pays; the token carries the passed match', async () => {
    await serve('blink,turn-left');
    const paid = await run('grace-live-blink-turn-left', { merchant: features, customer: CUSTOMER });
    expect(paid.type, JSON.stringify(paid.detail)).toBe('facepay-verified');
    const token = await claims(String(paid.detail.token), features, paid.reference, { customer: CUSTOMER, requireMatch: true });
    expect(token.sub).toBe(CUSTOMER);
    expect(token.liveness.assurance).toBe('features');
    expect(token.match).toMatchObject({ passed: true });
    expect(token.match!.score).toBeGreaterThanOrEqual(token.match!.threshold);
  }, 300_000);

  it('another person is refused as "not you" (face-mismatch), not as "not live"', async () => {
    const other = await run('xmorph-live-blink-turn-left', { merchant: features, customer: CUSTOMER });
    expect(other.type).toBe('facepay-failed');
    expect(other.detail).toMatchObject({ code: 'match-failed', reasons: ['face-mismatch'] });
    // The shopper reads why: the prompt names the match, not liveness.
    expect(await other.page.locator('facepay-checkout [part="prompt"]').textContent()).toContain('does not match the account holder');
  }, 300_000);

  // Liveness refuses the swap (identity-changed, or no-return-to-neutral: he rests turned
  // about 12°). Independently, the samples include him: one comes from every step's own
  // stretch (a second before its peak to its completion, nearest the peak), which for his
  // turn lies after the cut, so the match would refuse it too (face-inconsistent).
  it('a face swapped in mid-session is refused', async () => {
    const swap = await run('swap-grace-xmorph', { merchant: features, customer: CUSTOMER });
    // Refused as not one person (the samples include whoever did each step), or as not live.
    expect(swap.type, JSON.stringify(swap.detail)).toBe('facepay-failed');
    // Either way both people were sampled: her at the start, him in his turn's stretch (near
    // its peak: the clip loops back to her before he is done, so his completion is hers).
    const evidence = swap.evidence() as unknown as Evidence;
    const samples = evidence.match!.samples.map((s) => ({ t: s.t, template: decodeTemplate(s.template)! }));
    expect(samples.length).toBeGreaterThanOrEqual(3);
    // Both steps complete (he is back at neutral only when the clip loops back to her).
    const steps = stepTimes(evidence, { nonce: evidence.nonce, steps: evidence.steps });
    expect(steps.map((s) => s.step)).toEqual(['blink', 'turn-left']);
    const stretch = steps.map((step) => samples.find((s) => s.t >= step.peakT - MATCH_SAMPLE_STEP_LEAD_MS && s.t <= step.doneT));
    expect(stretch.every(Boolean)).toBe(true);
    expect(cosineSimilarity(samples[0]!.template, stretch[0]!.template)).toBeGreaterThanOrEqual(MATCH_THRESHOLD);
    expect(cosineSimilarity(samples[0]!.template, stretch[1]!.template)).toBeLessThan(MATCH_THRESHOLD);
    expect(['match-failed', 'liveness-failed']).toContain(swap.detail.code);
    if (swap.detail.code === 'match-failed') expect(['face-inconsistent', 'face-mismatch']).toContain((swap.detail.reasons as string[])[0]);
  }, 300_000);

  it('after deletion the customer must enrol again', async () => {
    const remove = (customer: string) =>
      fetch(`${server!.url}/v1/customers/${customer}/face`, { method: 'DELETE', headers: { authorization: `Bearer ${features.secret_key}` } });
    expect((await remove(CUSTOMER)).status).toBe(204);
    expect((await remove(CUSTOMER)).status).toBe(404);
    const required = await createSession({ merchant: features, customer: CUSTOMER, match: 'required' });
    expect(required.status).toBe(409);
    expect(required.body).toMatchObject({ error: { code: 'customer-not-enrolled' } });
    // Without a requirement the payment is liveness-only: no match claim, and a merchant that
    // requires a match refuses it.
    const paid = await run('grace-live-blink-turn-left', { merchant: features, customer: CUSTOMER });
    expect(paid.type, JSON.stringify(paid.detail)).toBe('facepay-verified');
    expect(paid.evidence()!.match).toBeUndefined();
    const token = await claims(String(paid.detail.token), features, paid.reference);
    expect(token.match).toBeUndefined();
    await expect(claims(String(paid.detail.token), features, paid.reference, { requireMatch: true })).rejects.toMatchObject({ code: 'match-required' });
  }, 300_000);
});

describe('pay with your face (frames mode: aligned crops travel, the server recomputes)', () => {
  let enrolled: Array<{ template: string }>;

  it('enrols and pays with crops; the token says frames', async () => {
    await serve('blink,turn-left');
    const enrol = await run('grace-live-blink-turn-left', { merchant: frames, purpose: 'enroll', customer: CUSTOMER });
    expect(enrol.type, JSON.stringify(enrol.detail)).toBe('facepay-verified');
    enrolled = (enrol.evidence()!.match as { samples: Array<{ template: string; crop: string }> }).samples;
    expect(enrolled.every((s) => typeof (s as { crop?: string }).crop === 'string')).toBe(true);
    const paid = await run('grace-live-blink-turn-left', { merchant: frames, customer: CUSTOMER });
    expect(paid.type, JSON.stringify(paid.detail)).toBe('facepay-verified');
    const token = await claims(String(paid.detail.token), frames, paid.reference, { requireMatch: true });
    expect(token.liveness.assurance).toBe('frames');
  }, 600_000);

  it('a forged template (the customer\'s, sent with the impostor\'s crops) is caught', async () => {
    expect(enrolled, 'needs the enrolment above').toBeDefined();
    const forged = await run('xmorph-live-blink-turn-left', { merchant: frames, customer: CUSTOMER }, (evidence) => {
      const match = evidence.match as { samples: Array<{ template: string }> };
      match.samples.forEach((sample, i) => (sample.template = enrolled[Math.min(i, enrolled.length - 1)]!.template));
      return evidence;
    });
    expect(forged.type).toBe('facepay-failed');
    expect(forged.detail.reasons).toContain('template-mismatch');
  }, 300_000);
});
