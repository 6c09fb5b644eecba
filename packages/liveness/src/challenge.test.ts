import { CHALLENGE_STEPS, type ChallengeStep } from '@facepay/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createChallenge } from './challenge.js';

const POSE: ChallengeStep[] = ['turn-left', 'turn-right', 'nod'];

describe('createChallenge', () => {
  it('draws the same steps from the same nonce, on every call', () => {
    expect(createChallenge('n_123')).toEqual(createChallenge('n_123'));
    expect(createChallenge('n_123', { pool: ['blink', 'nod', 'turn-left'] })).toEqual(createChallenge('n_123', { pool: ['blink', 'nod', 'turn-left'] }));
  });

  it('pins the draw so server and client builds agree', () => {
    // Changing the draw makes clients and servers of different versions disagree.
    expect(createChallenge('nonce-a')).toMatchInlineSnapshot(`
      [
        "turn-right",
        "open-mouth",
      ]
    `);
    expect(createChallenge('nonce-b')).toMatchInlineSnapshot(`
      [
        "turn-right",
        "nod",
      ]
    `);
  });

  it('gives 2 or 3 steps from the pool, no step twice in a row, and a head rotation', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 64 }), fc.subarray([...CHALLENGE_STEPS], { minLength: 2 }), (nonce, pool) => {
        const steps = createChallenge(nonce, { pool });
        expect(steps.length).toBeGreaterThanOrEqual(2);
        expect(steps.length).toBeLessThanOrEqual(3);
        for (const step of steps) expect(pool).toContain(step);
        for (let i = 1; i < steps.length; i++) expect(steps[i]).not.toBe(steps[i - 1]);
        if (pool.some((step) => POSE.includes(step))) expect(steps.some((step) => POSE.includes(step))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('uses every step of the pool and both lengths across nonces', () => {
    const seen = new Map<string, number>();
    const lengths = new Set<number>();
    for (let i = 0; i < 600; i++) {
      const steps = createChallenge(`nonce_${i}`);
      lengths.add(steps.length);
      for (const step of steps) seen.set(step, (seen.get(step) ?? 0) + 1);
    }
    expect([...lengths].sort()).toEqual([2, 3]);
    for (const step of CHALLENGE_STEPS) expect(seen.get(step), step).toBeGreaterThan(60);
  });

  it('leaves out expression steps when the merchant does (accessibility)', () => {
    const pool: ChallengeStep[] = ['blink', 'turn-left', 'turn-right', 'nod'];
    for (let i = 0; i < 200; i++) {
      const steps = createChallenge(`acc_${i}`, { pool });
      expect(steps).not.toContain('smile');
      expect(steps).not.toContain('open-mouth');
    }
  });

  it('takes an explicit length, and a one-step pool for one step', () => {
    expect(createChallenge('x', { length: 5 })).toHaveLength(5);
    expect(createChallenge('x', { pool: ['blink'], length: 1 })).toEqual(['blink']);
  });

  it('throws TypeError on misuse', () => {
    expect(() => createChallenge('')).toThrow(TypeError);
    expect(() => createChallenge('x', { pool: [] })).toThrow(TypeError);
    expect(() => createChallenge('x', { pool: ['blink'] })).toThrow(TypeError);
    expect(() => createChallenge('x', { pool: ['wink' as ChallengeStep, 'blink'] })).toThrow(TypeError);
    expect(() => createChallenge('x', { length: 0 })).toThrow(TypeError);
    expect(() => createChallenge('x', { length: 2.5 })).toThrow(TypeError);
    expect(() => createChallenge('x', { length: 7 })).toThrow(TypeError);
  });
});
