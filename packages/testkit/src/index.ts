export { startStaticServer } from './static-server.js';
export type { StaticServer, StaticServerOptions } from './static-server.js';
export { launchChromium, chromiumArgs, CHROMIUM_PATH, QUIET_FLAGS } from './chromium.js';
export type { LaunchChromiumOptions } from './chromium.js';
export { ROOT, SHARED, FACES } from './paths.js';
export { startRepoServer } from './repo-server.js';
export { openHarness } from './harness.js';
export type { Harness } from './harness.js';
export { stillClip } from './still-clip.js';
