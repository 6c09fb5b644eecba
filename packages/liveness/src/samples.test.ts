import { MATCH_MAX_SAMPLES, MATCH_SAMPLE_END_WITHIN_MS, MATCH_SAMPLE_STEP_LEAD_MS } from '@facepay/protocol';
import { describe, expect, it } from 'vitest';
import { pickSamples, stepSample } from './samples.js';

const every100 = (end: number) => Array.from({ length: end / 100 + 1 }, (_, i) => i * 100);

describe('stepSample', () => {
  it('takes the candidate nearest the peak, from a lead before it to the completion', () => {
    const times = every100(3000);
    expect(times[stepSample(times, { peak: 1550, done: 2000 })]).toBe(1500);
    // Only candidates in the stretch count: nothing from before the lead or after the completion.
    expect(stepSample([0, 400, 2600], { peak: 1500, done: 2500 })).toBe(-1);
    expect(stepSample([1500 - MATCH_SAMPLE_STEP_LEAD_MS], { peak: 1500, done: 2500 })).toBe(0);
    expect(stepSample([2500], { peak: 1500, done: 2500 })).toBe(0);
    // A later start (the session's last stretch) narrows it.
    expect(times[stepSample(times, { peak: 1000, done: 3000 }, 2000)]).toBe(2000);
    expect(stepSample([], { peak: 0, done: 0 })).toBe(-1);
  });
});

describe('pickSamples', () => {
  it('takes the first, one per step and fills up to the wanted count, never over the most', () => {
    const times = every100(6000);
    const steps = [
      { peak: 1500, done: 1800 },
      { peak: 3000, done: 3400 },
      { peak: 5200, done: 6000 },
    ];
    const picked = pickSamples(times, steps, 3).map((i) => times[i]);
    expect(picked).toEqual([0, 1500, 3000, 5200]);
    expect(picked.length).toBeLessThanOrEqual(MATCH_MAX_SAMPLES);
    // Two steps, three wanted: no fill needed; none wanted beyond the candidates there are.
    expect(pickSamples(times, steps.slice(0, 2), 3).map((i) => times[i])).toEqual([0, 1500, 3000]);
    expect(pickSamples([10, 20], [], 3)).toEqual([0, 1]);
    expect(pickSamples([], steps, 3)).toEqual([]);
  });

  it('takes the last step from the session\'s final stretch when it can, so one sample is near the end', () => {
    // The last step peaks at 1000 but completes at 4000 (held): its sample comes from the final 1.5 s.
    const times = [0, 500, 1000, 3000, 3500, 4000];
    const picked = pickSamples(times, [{ peak: 1000, done: 4000 }], 3).map((i) => times[i]);
    // Nearest the peak within the final 1.5 s (2500..4000): 3000, not 1000.
    expect(picked).toEqual([0, 3000, 4000]);
    expect(picked[1]).toBeGreaterThanOrEqual(4000 - MATCH_SAMPLE_END_WITHIN_MS);
    // With nothing of its stretch in the final 1.5 s, the nearest to the peak anywhere in it.
    expect(pickSamples([0, 500, 1000, 2000], [{ peak: 1000, done: 4000 }], 3).map((i) => [0, 500, 1000, 2000][i])).toEqual([0, 1000, 2000]);
  });
});
