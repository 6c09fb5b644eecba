import { describe, expect, it } from 'vitest';
import { resolveConfig } from './options.js';

describe('resolveConfig', () => {
  it('takes options, then FACEPAY_* variables, then defaults', () => {
    expect(resolveConfig({ env: {} })).toMatchObject({
      port: 8787,
      host: '127.0.0.1',
      dataDir: '.facepay-data',
      redisUrl: undefined,
      tokenLifetimeS: 120,
      clockSkewMs: 10_000,
      clientPerMinute: 120,
      merchantPerMinute: 6000,
      trustProxy: false,
      logLevel: 'info',
      fixedChallenge: undefined,
    });
    const env = { FACEPAY_DATA_DIR: '/data', FACEPAY_RATE_LIMIT_CLIENT: '7', FACEPAY_TRUST_PROXY: '1', FACEPAY_TOKEN_LIFETIME_S: '60' };
    expect(resolveConfig({ env })).toMatchObject({ dataDir: '/data', clientPerMinute: 7, trustProxy: true, tokenLifetimeS: 60 });
    expect(resolveConfig({ env, dataDir: '/mine', rateLimits: { clientPerMinute: 9 } })).toMatchObject({ dataDir: '/mine', clientPerMinute: 9 });
  });

  it('reads the fixed challenge hook, and refuses it in production', () => {
    expect(resolveConfig({ env: { FACEPAY_FIXED_CHALLENGE: 'blink, turn-left' } }).fixedChallenge).toEqual(['blink', 'turn-left']);
    expect(() => resolveConfig({ env: { FACEPAY_FIXED_CHALLENGE: 'blink', NODE_ENV: 'production' } })).toThrow(expect.objectContaining({ code: 'config-invalid' }));
    expect(() => resolveConfig({ env: { FACEPAY_FIXED_CHALLENGE: 'blink,jump' } })).toThrow(expect.objectContaining({ code: 'config-invalid' }));
  });

  it('reports a bad variable as config-invalid and a bad option as a TypeError', () => {
    for (const env of [{ FACEPAY_RATE_LIMIT_CLIENT: 'many' }, { FACEPAY_TRUST_PROXY: 'constructor' }, { FACEPAY_LOG_LEVEL: 'loud' }, { FACEPAY_CLOCK_SKEW_MS: '-1' }]) {
      expect(() => resolveConfig({ env })).toThrow(expect.objectContaining({ code: 'config-invalid' }));
    }
    expect(() => resolveConfig({ env: {}, tokenLifetimeS: 121 })).toThrow(TypeError);
    expect(() => resolveConfig({ env: {}, port: 70_000 })).toThrow(TypeError);
    expect(() => resolveConfig({ env: {}, rateLimits: { merchantPerMinute: 0 } })).toThrow(TypeError);
    expect(() => resolveConfig({ env: {}, issuer: 'not a url' })).toThrow(TypeError);
  });
});
