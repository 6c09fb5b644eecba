import { BLENDSHAPE_NAMES, FACE_TEMPLATE_DIMS, blendshapeIndex, decodeTemplate, type MatchRequest, type Observation } from '@facepay/protocol';
import { describe, expect, it } from 'vitest';
import { MatchSampler } from './match-sampler.js';

const request = (assurance: 'features' | 'frames'): MatchRequest => ({ purpose: 'pay', model: 'faceres-1', assurance, samples: 3 });

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
  it('asks for frontal, open-eyed, single faces, spaced out', () => {
    const sampler = new MatchSampler(request('features'), { intervalMs: 500 });
    expect(sampler.wants(0, undefined)).toBe(false);
    expect(sampler.wants(0, observation(30))).toBe(false);
    expect(sampler.wants(0, observation(0, 0.9))).toBe(false);
    expect(sampler.wants(0, observation(0, 0, 2))).toBe(false);
    expect(sampler.wants(0, observation())).toBe(true);
    expect(sampler.wants(499, observation())).toBe(false);
    expect(sampler.wants(500, observation())).toBe(true);
  });

  it('keeps a template only from a usable frame, and the crop only in frames mode', () => {
    const features = new MatchSampler(request('features'));
    const sample = features.accept(observation(), { template: template(), crop: new Uint8Array([0xff, 0xd8, 0xff]) })!;
    expect(decodeTemplate(sample.template)).toEqual(template());
    expect(sample.crop).toBeUndefined();
    expect(features.accept(observation(25), { template: template() })).toBeUndefined();
    expect(features.accept(observation(), undefined)).toBeUndefined();

    const frames = new MatchSampler(request('frames'));
    expect(frames.accept(observation(), { template: template() })).toBeUndefined();
    expect(frames.accept(observation(), { template: template(), crop: new Uint8Array([0xff, 0xd8, 0xff]) })!.crop).toBe('/9j/');
  });
});
