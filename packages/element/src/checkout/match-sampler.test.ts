import { BLENDSHAPE_NAMES, FACE_TEMPLATE_DIMS, blendshapeIndex, decodeTemplate, type MatchRequest, type Observation } from '@facepay/protocol';
import { describe, expect, it } from 'vitest';
import { KEPT_CROPS_MAX } from '@facepay/vision';
import { MatchSampler } from './match-sampler.js';

const request = (assurance: 'features' | 'frames', samples = 3): MatchRequest => ({ purpose: 'pay', model: 'faceres-1', assurance, samples });

function observation(yaw = 0, blink = 0, faces = 1): Observation {
  const blendshapes = new Float32Array(BLENDSHAPE_NAMES.length);
  blendshapes[blendshapeIndex('eyeBlinkLeft')] = blink;
  const face = {
    box: { x: 0.3, y: 0.2, width: 0.4, height: 0.5 },
    landmarks: new Float32Array(478 * 3),
    blendshapes,
    matrix: new Float32Array(16),
    pose: { yaw, pitch: 0, roll: 0 },
  };
  return { timestampMs: 1, width: 640, height: 480, faces: Array.from({ length: faces }, () => face), inferenceMs: 1 };
}

const template = () => Float32Array.from({ length: FACE_TEMPLATE_DIMS }, (_, i) => Math.sin(i) / 16);

describe('MatchSampler', () => {
  it('asks to keep frontal, open-eyed, single faces, spaced out', () => {
    const sampler = new MatchSampler(request('features'), { intervalMs: 500 });
    expect(sampler.wants(0, undefined)).toBe(false);
    expect(sampler.wants(0, observation(30))).toBe(false);
    expect(sampler.wants(0, observation(0, 0.9))).toBe(false);
    expect(sampler.wants(0, observation(0, 0, 2))).toBe(false);
    expect(sampler.wants(0, observation())).toBe(true);
    expect(sampler.wants(499, observation())).toBe(false);
    expect(sampler.wants(500, observation())).toBe(true);
  });

  it('picks samples spread from the first to the last recorded candidate', () => {
    const sampler = new MatchSampler(request('features', 3));
    for (let i = 0; i < 10; i++) sampler.note(observation(i === 4 ? 40 : 0), i + 1, 1000 + i * 100);
    sampler.note(observation(), undefined, 5000);
    // The first candidate's frame was trimmed from the evidence; the one at yaw 40 never counted.
    const picked = sampler.pick((epoch) => epoch !== 1000);
    expect(picked.map((c) => c.id)).toEqual([2, 6, 10]);
    expect(new MatchSampler(request('features')).pick(() => true)).toEqual([]);
    const one = new MatchSampler(request('features'));
    one.note(observation(), 7, 1);
    expect(one.pick(() => true)).toEqual([{ id: 7, epochMs: 1 }]);
  });

  it('samples whoever did each step: the last usable frame before every step was done', () => {
    const sampler = new MatchSampler(request('features', 3));
    // Usable frames every 100 ms from 0 to 3000; the person turned away (yaw 40) around each action.
    for (let i = 0; i <= 30; i++) {
      const t = i * 100;
      const away = (t > 1000 && t <= 1200) || (t > 2600 && t <= 2800);
      sampler.note(observation(away ? 40 : 0), i + 1, t);
    }
    sampler.stepDone(1200);
    sampler.stepDone(2800);
    // First (0 ms), before step 1 (1000 ms), before step 2 (2600 ms): three, the request's count.
    expect(sampler.pick(() => true).map((c) => c.epochMs)).toEqual([0, 1000, 2600]);
    // Three steps: four samples, the most the evidence takes.
    sampler.stepDone(3000);
    expect(sampler.pick(() => true).map((c) => c.epochMs)).toEqual([0, 1000, 2600, 3000]);
  });

  it('forgets crops as the worker evicts them (the first stays, the second-oldest goes)', () => {
    const sampler = new MatchSampler(request('features', 3));
    for (let id = 1; id <= KEPT_CROPS_MAX + 6; id++) sampler.note(observation(), id, id * 100);
    const picked = sampler.pick(() => true).map((c) => c.id);
    expect(picked[0]).toBe(1);
    expect(picked.at(-1)).toBe(KEPT_CROPS_MAX + 6);
    // Ids 2..7 were evicted in the worker: never picked.
    expect(picked.every((id) => id === 1 || id > 7)).toBe(true);
  });

  it('sends the crop only in frames mode', () => {
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff]);
    const features = new MatchSampler(request('features')).toSample({ template: template(), crop: jpeg });
    expect(decodeTemplate(features.template)).toEqual(template());
    expect(features.crop).toBeUndefined();
    expect(new MatchSampler(request('frames')).toSample({ template: template(), crop: jpeg }).crop).toBe('/9j/');
  });
});
