import type { Challenge } from '@facepay/protocol';
import type { TestMerchant } from './processes.js';

export interface Answer {
  status: number;
  headers: Headers;
  /** The parsed JSON body (undefined when there was none, or it was not JSON). */
  body: any;
}

export interface CallOptions {
  method?: string;
  /** Sent as `Authorization: Bearer <auth>`. */
  auth?: string;
  /** Serialised as JSON unless `raw` is given. */
  json?: unknown;
  raw?: string | Blob;
  headers?: Record<string, string>;
}

/** One request to the server under test. */
export async function call(base: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.auth !== undefined) headers.authorization = `Bearer ${options.auth}`;
  let body: string | Blob | undefined = options.raw;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(new URL(path, base), { method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export interface TestSession {
  id: string;
  client_secret: string;
  expires_at: string;
  status: string;
}

export const ORDER = { amount: 1299, currency: 'EUR', reference: 'order_123', customer: 'cus_42' } as const;

export async function createSession(base: string, merchant: TestMerchant, order: Record<string, unknown> = ORDER): Promise<TestSession> {
  const answer = await call(base, '/v1/sessions', { auth: merchant.secret_key, json: order });
  if (answer.status !== 201) throw new Error(`POST /v1/sessions answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body as TestSession;
}

export async function fetchChallenge(base: string, session: TestSession): Promise<Challenge & { expires_at: string }> {
  const answer = await call(base, `/v1/sessions/${session.id}/challenge`, { auth: session.client_secret });
  if (answer.status !== 200) throw new Error(`GET challenge answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}
