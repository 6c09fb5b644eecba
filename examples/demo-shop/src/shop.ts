import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { consume, FacePayTokenError, verifyFacePayToken } from '@facepay/verify';
import { OrderBook, OrderStatus, type Order, type Shopper } from './orders.js';
import { accountPage, orderPage, shopPage } from './pages.js';

/** The shop's facepay account: its merchant id and secret key, and where facepay runs. */
export interface FacePayAccount {
  /** The facepay server, as the shop backend and shoppers' browsers reach it. */
  facepayUrl: string;
  /** Token issuer to expect (the facepay server's `iss`). */
  issuer: string;
  merchantId: string;
  secretKey: string;
}

export interface ShopOptions {
  port?: number;
  host?: string;
}

export interface Shop {
  url: string;
  orders: OrderBook;
  /** The demo's signed-in shopper (one, for the demo). */
  shopper: Shopper;
  /**
   * Sets the facepay account. Separate from start-up because the merchant's allowed
   * origin is the shop's own URL, known only once it listens.
   */
  connect(account: FacePayAccount): void;
  close(): Promise<void>;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const PUBLIC = join(here, '..', 'public');
/** The element's script-tag build, self-hosted beside the shop (the worker must be same-origin). */
const SDK = join(here, '..', '..', '..', 'packages', 'element', 'dist');
const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.task': 'application/octet-stream',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

/**
 * The demo shop: one product, an order page that embeds <facepay-checkout>, and the
 * merchant backend that creates the facepay session, verifies the token offline, consumes
 * it (single use) and only then records the charge.
 */
export async function startShop(options: ShopOptions = {}): Promise<Shop> {
  const orders = new OrderBook();
  const shopper: Shopper = { customer: 'cus_demo_ada', name: 'Ada', faceEnrolled: false };
  let account: FacePayAccount | undefined;

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error('shop: request failed', (error as Error).message);
      if (!res.headersSent) json(res, 500, { error: { code: 'shop-error', message: 'The shop had a problem' } });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://shop');
    const path = url.pathname;
    // HEAD too: the worker checks its assets are reachable before the loader fetches them.
    const read = req.method === 'GET' || req.method === 'HEAD';
    if (read && path.startsWith('/static/')) return file(req, res, PUBLIC, path.slice('/static/'.length));
    if (read && path.startsWith('/facepay/')) return file(req, res, SDK, path.slice('/facepay/'.length));
    if (!account) return json(res, 503, { error: { code: 'facepay-not-configured', message: 'The shop has no facepay account yet' } });
    const facepay = account;
    if (req.method === 'GET' && path === '/') return html(res, shopPage(), facepay.facepayUrl);
    if (req.method === 'POST' && path === '/orders') return createOrder(facepay, res);
    if (req.method === 'GET' && path === '/account') return showAccount(facepay, res);
    if (req.method === 'POST' && path === '/account/enrolled') return enrolled(facepay, await readJson(req), res);
    if (req.method === 'POST' && path === '/account/face/delete') return removeFace(facepay, res);
    const match = /^\/orders\/(order_[0-9a-f]{12})(\/pay|\/decline|\/status)?$/.exec(path);
    if (match) {
      const order = orders.get(match[1]!);
      if (!order) return json(res, 404, { error: { code: 'order-not-found', message: 'No such order' } });
      const action = match[2];
      if (req.method === 'GET' && !action) return html(res, orderPage(order, facepay.facepayUrl), facepay.facepayUrl);
      if (req.method === 'GET' && action === '/status') return json(res, 200, { id: order.id, status: order.status, charges: order.charges.length });
      if (req.method === 'POST' && action === '/pay') return pay(facepay, order, await readJson(req), res);
      if (req.method === 'POST' && action === '/decline') return decline(order, res);
    }
    json(res, 404, { error: { code: 'not-found', message: path } });
  }

  const facepayApi = (facepay: FacePayAccount, path: string, init: { method: string; body?: unknown }): Promise<Response> =>
    fetch(`${facepay.facepayUrl.replace(/\/+$/, '')}${path}`, {
      method: init.method,
      headers: {
        authorization: `Bearer ${facepay.secretKey}`,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });

  /** The account page, with a fresh enrolment session for the element until the shopper enrolled. */
  async function showAccount(facepay: FacePayAccount, res: ServerResponse): Promise<void> {
    shopper.enrolment = undefined;
    if (shopper.faceEnrolled) return html(res, accountPage(shopper, facepay.facepayUrl), facepay.facepayUrl);
    const reference = `enrol_${randomBytes(6).toString('hex')}`;
    const response = await facepayApi(facepay, '/v1/sessions', { method: 'POST', body: { purpose: 'enroll', customer: shopper.customer, reference } });
    if (response.ok) {
      const session = (await response.json()) as { id: string; client_secret: string };
      shopper.enrolment = { id: session.id, clientSecret: session.client_secret, reference };
    }
    return html(res, accountPage(shopper, facepay.facepayUrl), facepay.facepayUrl);
  }

  /** The enrolment's token, verified (as an enrolment, for this shopper) and consumed. */
  async function enrolled(facepay: FacePayAccount, body: unknown, res: ServerResponse): Promise<void> {
    const token = (body as { token?: unknown } | undefined)?.token;
    const enrolment = shopper.enrolment;
    if (typeof token !== 'string' || token.length > 8192 || !enrolment) {
      return json(res, 400, { error: { code: 'token-missing', message: 'Send { "token": "..." } from the account page' } });
    }
    try {
      await verifyFacePayToken(token, {
        jwksUrl: `${facepay.facepayUrl.replace(/\/+$/, '')}/.well-known/jwks.json`,
        issuer: facepay.issuer,
        audience: facepay.merchantId,
        reference: enrolment.reference,
        purpose: 'enroll',
        customer: shopper.customer,
      });
      await consume(token, { server: facepay.facepayUrl, secretKey: facepay.secretKey });
      shopper.faceEnrolled = true;
      json(res, 200, { status: 'enrolled' });
    } catch (error) {
      const code = error instanceof FacePayTokenError ? error.code : 'token-rejected';
      json(res, 402, { error: { code, message: (error as Error).message } });
    }
  }

  /** Deletes the shopper's face at facepay (the shop never held it). */
  async function removeFace(facepay: FacePayAccount, res: ServerResponse): Promise<void> {
    const response = await facepayApi(facepay, `/v1/customers/${encodeURIComponent(shopper.customer)}/face`, { method: 'DELETE' });
    // 404: facepay had no enrolment (already removed): the outcome the shopper asked for.
    if (response.status !== 204 && response.status !== 404) {
      return json(res, 502, { error: { code: 'facepay-unavailable', message: `facepay answered ${response.status}` } });
    }
    shopper.faceEnrolled = false;
    res.writeHead(303, { location: '/account' }).end();
  }

  async function createOrder(facepay: FacePayAccount, res: ServerResponse): Promise<void> {
    const order = orders.create();
    // The shopper's customer id: once they enrolled, facepay must match their face.
    const response = await facepayApi(facepay, '/v1/sessions', {
      method: 'POST',
      body: {
        amount: order.amount,
        currency: order.currency,
        reference: order.id,
        customer: shopper.customer,
        ...(shopper.faceEnrolled ? { match: 'required' } : {}),
      },
    });
    if (!response.ok) {
      order.status = OrderStatus.Declined;
      json(res, 502, { error: { code: 'facepay-unavailable', message: `facepay answered ${response.status}` } });
      return;
    }
    const session = (await response.json()) as { id: string; client_secret: string };
    order.session = { id: session.id, clientSecret: session.client_secret };
    res.writeHead(303, { location: `/orders/${order.id}` }).end();
  }

  /** Verify offline (signature, issuer, audience, expiry, reference, amount), consume, then charge. */
  async function pay(facepay: FacePayAccount, order: Order, body: unknown, res: ServerResponse): Promise<void> {
    const token = (body as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || token.length > 8192) {
      return json(res, 400, { error: { code: 'token-missing', message: 'Send { "token": "..." }' } });
    }
    try {
      const claims = await verifyFacePayToken(token, {
        jwksUrl: `${facepay.facepayUrl.replace(/\/+$/, '')}/.well-known/jwks.json`,
        issuer: facepay.issuer,
        audience: facepay.merchantId,
        reference: order.id,
        amount: order.amount,
        currency: order.currency,
        customer: shopper.customer,
        // An enrolled shopper's payment must carry a passed face match, not only liveness.
        requireMatch: shopper.faceEnrolled,
      });
      // Single use is facepay's to enforce: a replayed token fails here even for a paid order.
      await consume(token, { server: facepay.facepayUrl, secretKey: facepay.secretKey });
      if (order.status !== OrderStatus.Paid) {
        order.status = OrderStatus.Paid;
        order.paidWith = claims.jti;
        order.charges.push({ amount: order.amount, currency: order.currency, at: new Date().toISOString() });
      }
      json(res, 200, { id: order.id, status: order.status });
    } catch (error) {
      const code = error instanceof FacePayTokenError ? error.code : 'token-rejected';
      const status = code === 'token-already-consumed' ? 409 : 402;
      json(res, status, { error: { code, message: (error as Error).message }, status: order.status });
    }
  }

  function decline(order: Order, res: ServerResponse): void {
    if (order.status === OrderStatus.Pending) order.status = OrderStatus.Declined;
    json(res, 200, { id: order.id, status: order.status });
  }

  await new Promise<void>((done) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    orders,
    shopper,
    connect(next) {
      account = next;
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

/** The shop's pages run under a strict CSP: the element needs no inline script or eval. */
function html(res: ServerResponse, body: string, facepayOrigin: string): void {
  const csp = [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self'",
    `connect-src 'self' ${new URL(facepayOrigin).origin}`,
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    "frame-ancestors 'none'",
  ].join('; ');
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp, 'cache-control': 'no-store' }).end(body);
}

async function file(req: IncomingMessage, res: ServerResponse, root: string, relative: string): Promise<void> {
  const path = normalize(join(root, decodeURIComponent(relative)));
  if (!path.startsWith(root + sep)) return json(res, 403, { error: { code: 'forbidden', message: relative } });
  const bytes = await readFile(path).catch(() => undefined);
  if (!bytes) return json(res, 404, { error: { code: 'not-found', message: relative } });
  res.writeHead(200, {
    'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
    'content-length': bytes.length,
    'cache-control': 'max-age=3600',
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 16 * 1024) return undefined;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}
