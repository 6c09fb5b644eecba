/** What the element is doing; also its `data-state` attribute, for styling and tests. */
export const CheckoutState = {
  /** The "Pay with face" button; the worker and model load in the background. */
  Idle: 'idle',
  /** Asking for the camera and the challenge. */
  Starting: 'starting',
  /** Camera on: guiding the face into the outline until the picture is good. */
  Positioning: 'positioning',
  /** Prompting the challenge steps. */
  Challenge: 'challenge',
  /** Evidence sent; waiting for the server's decision. */
  Verifying: 'verifying',
  Success: 'success',
  /** The server refused (not live, not you); may be retryable. */
  Failed: 'failed',
  /** Camera, assets, network or set-up problem. */
  Error: 'error',
} as const;
export type CheckoutState = (typeof CheckoutState)[keyof typeof CheckoutState];
