import type { Section } from '../section.js';

const ELEMENT = ['packages/element/dist/facepay.js', 'packages/element/dist/vision.worker.js', 'packages/element/dist/models/face_landmarker.task'];
const VISION = ['packages/vision/dist/index.js', 'packages/vision/dist/main-thread.js', 'packages/vision/dist/models/face_landmarker.task'];

/**
 * Every section, in report order. Size first: it needs no browser and catches a broken
 * build at once. Each section's code is in `./<id>.ts`, exporting `run(ctx)`.
 */
export const SECTIONS: readonly Section[] = [
  {
    id: 'size',
    title: 'Size: gzipped bytes of what ships',
    requires: ['@facepay/element', '@facepay/vision'],
    built: [...ELEMENT, 'packages/element/dist/index.js'],
    load: () => import('./size.js'),
  },
  {
    id: 'vision',
    title: 'Vision: the worker vs raw FaceLandmarker on the main thread',
    requires: ['@facepay/vision', '@facepay/liveness'],
    built: [...VISION, 'packages/element/dist/facepay.js'],
    load: () => import('./vision.js'),
  },
  {
    id: 'page-health',
    title: 'Page health during a check: long main-thread tasks',
    requires: ['@facepay/element', '@facepay/vision', '@facepay/liveness'],
    built: [...ELEMENT, ...VISION],
    load: () => import('./page-health.js'),
  },
  {
    id: 'startup',
    title: 'Start-up: navigation → facepay-ready, cold and warm cache',
    requires: ['@facepay/element', '@facepay/vision'],
    built: [...ELEMENT, 'packages/vision/dist/index.js'],
    load: () => import('./startup.js'),
  },
  {
    id: 'verdict',
    title: 'Time to verdict',
    requires: ['@facepay/server', '@facepay/liveness', '@facepay/element'],
    built: ELEMENT,
    load: () => import('./verdict.js'),
  },
  {
    id: 'server',
    title: 'Server: verify throughput and token verification',
    requires: ['@facepay/server', '@facepay/verify'],
    built: [],
    load: () => import('./server.js'),
  },
  {
    id: 'match',
    title: 'Face match: genuine and impostor similarity, embedding time (worker and Node)',
    requires: ['@facepay/face', '@facepay/vision'],
    built: [...VISION, 'packages/vision/dist/vision.worker-match.js', 'packages/face/dist/models/faceres.bin'],
    load: () => import('./match.js'),
  },
  {
    id: 'peer',
    title: 'Peer: @vladmandic/human on the same frames',
    requires: ['@vladmandic/human', '@tensorflow/tfjs-backend-wasm', '@facepay/vision', '@facepay/liveness'],
    built: [...VISION, 'packages/element/dist/facepay.js'],
    load: () => import('./peer.js'),
  },
];
