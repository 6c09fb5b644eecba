export { FacePayCheckout } from './checkout/facepay-checkout.js';
export { CheckoutState } from './checkout/state.js';
export type {
  FacePayErrorDetail,
  FacePayEventMap,
  FacePayFailedDetail,
  FacePayProgressDetail,
  FacePayVerifiedDetail,
} from './checkout/events.js';
export { FacePayApi } from './api-client.js';
export type { ChallengeResponse, VerifyOutcome } from './api-client.js';
export { CATALOGS, pickLocale } from './i18n/index.js';
export type { Catalog } from './i18n/index.js';
