// The order page's glue: hand facepay's token to the shop backend, show the outcome.
const checkout = document.getElementById('checkout');
const status = document.getElementById('order-status');
const orderId = status.dataset.orderId;

const TEXT = {
  paid: 'Paid. Thank you! Your stamp is on its way.',
  declined: 'Payment declined. Nothing was charged.',
  pending: 'Awaiting payment.',
};

function show(state, detail) {
  status.dataset.orderStatus = state;
  status.textContent = detail ? `${TEXT[state]} (${detail})` : TEXT[state];
}

async function post(path, body) {
  const response = await fetch(`/orders/${orderId}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.json();
}

checkout.addEventListener('facepay-verified', async (event) => {
  const result = await post('pay', { token: event.detail.token });
  if (result.status === 'paid') show('paid');
  else show('declined', result.error?.code);
});

checkout.addEventListener('facepay-failed', async (event) => {
  const result = await post('decline', { code: event.detail.code, reasons: event.detail.reasons });
  show(result.status === 'paid' ? 'paid' : 'declined', event.detail.reasons.join(', '));
});

checkout.addEventListener('facepay-error', (event) => {
  status.textContent = `Face payment is unavailable: ${event.detail.code}. Nothing was charged.`;
});
