import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer, type StaticServer } from './static-server.js';

let dir: string;
let plain: StaticServer;
let cached: StaticServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facepay-static-'));
  await writeFile(join(dir, 'a.js'), 'export {};\n');
  plain = await startStaticServer({ mounts: { '/': dir } });
  cached = await startStaticServer({ mounts: { '/': dir }, cacheControl: 'max-age=60', etag: true });
});

afterAll(async () => {
  await plain?.close();
  await cached?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('startStaticServer caching', () => {
  it('sends no-cache and no ETag by default', async () => {
    const response = await fetch(`${plain.url}/a.js`);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('etag')).toBeNull();
  });

  it('sends the given Cache-Control and answers a matching If-None-Match with 304', async () => {
    const first = await fetch(`${cached.url}/a.js`);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('max-age=60');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^W\/"[0-9a-f]+-[0-9a-f]+"$/);
    const again = await fetch(`${cached.url}/a.js`, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const other = await fetch(`${cached.url}/a.js`, { headers: { 'if-none-match': 'W/"other"' } });
    expect(other.status).toBe(200);
  });
});
