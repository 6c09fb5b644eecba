import type { Section } from '../section.js';

// Sections whose packages are built on other branches. Each reports "not available" until
// its packages are in the checkout and someone gives it a `run` (in its own file, like the
// others); the goals that depend on them say so too.

/** Needs the server (FACEPAY_FIXED_CHALLENGE), the liveness engine and a live clip with those actions. */
export const verdict: Section = {
  id: 'verdict',
  title: 'Time to verdict',
  requires: ['@facepay/server', '@facepay/liveness'],
  planned:
    'the element against a local server on a live clip doing the fixed challenge: time from the end of the ' +
    "last step in the clip to facepay-verified (median, p95), and verify's share of it",
};

export const server: Section = {
  id: 'server',
  title: 'Server: verify throughput and token verification',
  requires: ['@facepay/server', '@facepay/verify'],
  planned:
    'POST /v1/sessions/:id/verify on loopback with recorded evidence: requests/s and p50/p99 latency at ' +
    'fixed concurrency for a bounded time; verifyFacePayToken ops/s in-process',
};
