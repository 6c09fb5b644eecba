import type { Section } from '../section.js';
import { pageHealth } from './page-health.js';
import { peer } from './peer.js';
import { server, verdict } from './planned.js';
import { size } from './size.js';
import { startup } from './startup.js';
import { vision } from './vision.js';

/** Every section, in report order. Size first: it needs no browser and catches a missing build at once. */
export const SECTIONS: readonly Section[] = [size, vision, pageHealth, startup, verdict, server, peer];
