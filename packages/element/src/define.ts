import { FacePayCheckout } from './checkout/facepay-checkout.js';

/** Registers `<facepay-checkout>` once, even if this module is loaded twice. */
if (!customElements.get('facepay-checkout')) customElements.define('facepay-checkout', FacePayCheckout);

export { FacePayCheckout };
