import { PRODUCT, type Order, type Shopper } from './orders.js';

const escape = (value: string | number): string =>
  String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const price = (amount: number, currency: string): string =>
  new Intl.NumberFormat('en', { style: 'currency', currency }).format(amount / 100);

function layout(title: string, body: string, scripts: string[] = []): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · Smile Stamps</title>
<link rel="stylesheet" href="/static/shop.css">
${scripts.map((src) => `<script type="module" src="${escape(src)}"></script>`).join('\n')}
</head>
<body>
<header><a href="/" class="brand">Smile Stamps</a><span class="tag">demo shop · pays with facepay</span><a href="/account" class="account">Account</a></header>
<main>
${body}
</main>
<footer>A demo: nothing is really charged. Your camera video stays in your browser; only compact face features reach facepay.</footer>
</body>
</html>`;
}

export function shopPage(): string {
  return layout(
    'Shop',
    `<article class="product">
  <img src="/static/stamp.svg" alt="A postage stamp with a smiling face" width="200" height="240">
  <div>
    <h1>${escape(PRODUCT.item)}</h1>
    <p class="price">${price(PRODUCT.amount, PRODUCT.currency)}</p>
    <p>A commemorative stamp for the day paying with a smile came to the web.</p>
    <form method="post" action="/orders"><button type="submit" class="buy">Buy now</button></form>
  </div>
</article>`,
  );
}

export function accountPage(shopper: Shopper, facepayUrl: string): string {
  const enrolment = shopper.enrolment;
  const enrolled = shopper.faceEnrolled;
  return layout(
    'Account',
    `<h1>Your account</h1>
<p>Signed in as ${escape(shopper.name)} (customer <code>${escape(shopper.customer)}</code>).</p>
<h2>Pay with your face</h2>
<p id="face-status" role="status" data-face-status="${enrolled ? 'enrolled' : 'not-enrolled'}">${faceStatusText(enrolled)}</p>
<p>Set it up once: the shop then asks facepay to check that it is really you, not only a
live person, whenever you pay. Your video stays in your browser; facepay keeps one
encrypted face template for this shop, which you can remove at any time.</p>
${
  enrolment
    ? `<facepay-checkout id="enrol" mode="enroll"
  session="${escape(enrolment.id)}"
  client-secret="${escape(enrolment.clientSecret)}"
  server="${escape(facepayUrl)}"
  assets-base="/facepay/"></facepay-checkout>`
    : ''
}
${enrolled ? '<form method="post" action="/account/face/delete"><button type="submit" class="secondary">Remove my face</button></form>' : ''}`,
    enrolment ? ['/facepay/facepay.js', '/static/account.js'] : [],
  );
}

export function faceStatusText(enrolled: boolean): string {
  return enrolled
    ? 'Face payment is set up: payments must match your face.'
    : 'Face payment is not set up: payments check that a live person pays.';
}

export function orderPage(order: Order, facepayUrl: string): string {
  const session = order.session!;
  return layout(
    `Order ${order.id}`,
    `<h1>Checkout</h1>
<p class="line"><span>${escape(order.item)}</span> <strong>${price(order.amount, order.currency)}</strong></p>
<p>Order <code>${escape(order.id)}</code></p>
<facepay-checkout id="checkout"
  session="${escape(session.id)}"
  client-secret="${escape(session.clientSecret)}"
  server="${escape(facepayUrl)}"
  amount="${escape(order.amount)}"
  currency="${escape(order.currency)}"
  assets-base="/facepay/"></facepay-checkout>
<p id="order-status" role="status" data-order-id="${escape(order.id)}" data-order-status="${escape(order.status)}">${statusText(order.status)}</p>`,
    ['/facepay/facepay.js', '/static/order.js'],
  );
}

export function statusText(status: Order['status']): string {
  switch (status) {
    case 'paid':
      return 'Paid. Thank you! Your stamp is on its way.';
    case 'declined':
      return 'Payment declined. Nothing was charged.';
    default:
      return 'Awaiting payment.';
  }
}
