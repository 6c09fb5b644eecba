import { startStaticServer, type StaticServer, type StaticServerOptions } from './static-server.js';
import { ROOT, SHARED } from './paths.js';

/**
 * Serves the repository root (built packages, test pages, examples) and `../shared` under
 * `/__shared/`, as tests, the demo and the benchmark need.
 */
export function startRepoServer(options: Omit<StaticServerOptions, 'mounts'> = {}): Promise<StaticServer> {
  return startStaticServer({ ...options, mounts: { '/': ROOT, '/__shared/': SHARED } });
}
