// The checkout from the npm package: the registering entry defines <facepay-checkout>;
// Vite emits the vision worker it references (new URL('./vision.worker.js', import.meta.url))
// and vite.config.ts puts MediaPipe's wasm and the model beside it.
import '@facepay/element/define';

const params = new URLSearchParams(location.search);
const checkout = document.createElement('facepay-checkout');
for (const [param, attribute] of [
  ['session', 'session'],
  ['client_secret', 'client-secret'],
  ['server', 'server'],
  ['amount', 'amount'],
  ['currency', 'currency'],
  ['lang', 'lang'],
] as const) {
  const value = params.get(param);
  if (value) checkout.setAttribute(attribute, value);
}
const outcome = document.getElementById('outcome')!;
checkout.addEventListener('facepay-ready', () => (document.body.dataset.ready = 'true'));
checkout.addEventListener('facepay-verified', (event) => {
  // Hand the token to your backend: it verifies it with @facepay/verify, consumes it, then charges.
  outcome.textContent = `Verified: token for session ${event.detail.sessionId}`;
  outcome.dataset.token = event.detail.token;
});
checkout.addEventListener('facepay-failed', (event) => (outcome.textContent = `Not verified: ${event.detail.reasons.join(', ')}`));
checkout.addEventListener('facepay-error', (event) => (outcome.textContent = `Error: ${event.detail.code}`));
document.getElementById('checkout')!.append(checkout);
