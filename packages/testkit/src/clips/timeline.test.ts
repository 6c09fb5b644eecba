import { describe, expect, it } from 'vitest';
import { CLIP_SPECS } from './clip-set.js';
import { STEP_SIGNALS, STEPS } from './manifest.js';
import type { FramePlan, PersonLayer } from './plan.js';
import { createRandom } from './prng.js';
import { timeline } from './timeline.js';

const plans = new Map(CLIP_SPECS.map((spec) => [spec.name, timeline(spec)]));
const people = (plan: FramePlan): PersonLayer[] => plan.layers.filter((l): l is PersonLayer => l.type === 'person');

describe('clip timelines', () => {
  it('are deterministic', () => {
    for (const spec of CLIP_SPECS) expect(timeline(spec)).toEqual(plans.get(spec.name));
  });

  it('give every clip a unique name and the manifest fields', () => {
    expect(new Set(CLIP_SPECS.map((s) => s.name)).size).toBe(CLIP_SPECS.length);
    for (const clip of plans.values()) {
      expect(clip.frames).toBe(clip.plans.length);
      expect(clip.duration).toBeCloseTo(clip.frames / 30, 3);
      expect([clip.fps, clip.width, clip.height]).toEqual([30, 640, 480]);
      expect(clip.challenge.every((s) => (STEPS as readonly string[]).includes(s))).toBe(true);
      expect(['live', 'not-live']).toContain(clip.expect);
    }
  });

  it('start with ~1 s of neutral face, keep ≥ 0.6 s between actions and last ≤ 7 s', () => {
    for (const clip of plans.values()) {
      expect(clip.duration, clip.name).toBeLessThanOrEqual(7);
      const actions = [...clip.actions].sort((a, b) => a.start - b.start);
      if (actions.length) expect(actions[0]!.start, clip.name).toBeGreaterThanOrEqual(1);
      for (let i = 1; i < actions.length; i++) expect(actions[i]!.start - actions[i - 1]!.end, clip.name).toBeGreaterThanOrEqual(0.6);
      for (let i = 0; i < 30; i++) {
        for (const person of people(clip.plans[i]!)) {
          expect(person.face, `${clip.name} frame ${i}`).toEqual({ blink: 0, smile: 0, jaw: 0 });
          expect(Math.abs(person.head.yaw), `${clip.name} frame ${i}`).toBeLessThan(3);
          expect(Math.abs(person.head.pitch), `${clip.name} frame ${i}`).toBeLessThan(3);
        }
      }
    }
  });

  it('time actions as people do: blinks of 150–400 ms, turns of 20–35° and back', () => {
    for (const clip of plans.values()) {
      for (const action of clip.actions) {
        expect(action).toMatchObject(STEP_SIGNALS[action.step]);
        expect(action.peak).toBeGreaterThan(action.start);
        expect(action.end).toBeGreaterThan(action.peak);
        if (action.step === 'blink') {
          expect(action.end - action.start).toBeGreaterThanOrEqual(0.15);
          expect(action.end - action.start).toBeLessThanOrEqual(0.4);
        }
        if (action.step === 'turn-left' || action.step === 'turn-right') {
          expect(action.amplitude).toBeGreaterThanOrEqual(20);
          expect(action.amplitude).toBeLessThanOrEqual(35);
        }
      }
    }
  });

  it('render each live action where the manifest says, and nothing else there', () => {
    for (const name of ['grace-live-blink-turn-left', 'grace-live-turn-right-smile', 'grace-live-open-mouth-nod']) {
      const clip = plans.get(name)!;
      clip.plans.forEach((plan, i) => {
        const t = i / 30;
        const [person] = people(plan);
        const active = clip.actions.filter((a) => t > a.start && t < a.end).map((a) => a.step);
        if (!active.includes('blink')) expect(person!.face.blink).toBe(0);
        if (!active.includes('smile')) expect(person!.face.smile).toBe(0);
        if (!active.includes('open-mouth')) expect(person!.face.jaw).toBe(0);
        const turning = active.includes('turn-left') ? 1 : active.includes('turn-right') ? -1 : 0;
        if (!turning) expect(Math.abs(person!.head.yaw)).toBeLessThan(3);
      });
      for (const action of clip.actions) {
        const [person] = people(clip.plans[Math.round(action.peak * 30)]!);
        const value = { eyeBlink: person!.face.blink, mouthSmile: person!.face.smile, jawOpen: person!.face.jaw, yaw: person!.head.yaw, pitch: person!.head.pitch }[action.signal];
        expect(Math.sign(value), `${name} ${action.step}`).toBe(action.sign);
        expect(Math.abs(value), `${name} ${action.step}`).toBeGreaterThan(action.signal === 'yaw' || action.signal === 'pitch' ? 15 : 0.85);
      }
    }
  });

  it('replay the live clips frame for frame, in their order', () => {
    for (const [name, source] of [
      ['grace-replay-blink-turn-left', 'grace-live-blink-turn-left'],
      ['grace-replay-wrong-order', 'grace-live-turn-left-blink'],
    ] as const) {
      const replay = plans.get(name)!;
      expect(replay.actions).toEqual(plans.get(source)!.actions);
      expect(replay.frames).toBe(plans.get(source)!.frames);
      replay.plans.forEach((plan, i) => {
        expect(plan.layers.find((l) => l.type === 'screen')).toMatchObject({ content: { clip: source, frame: i } });
      });
    }
    const wrong = plans.get('grace-replay-wrong-order')!;
    expect(wrong.actions.map((a) => a.step)).toEqual(['turn-left', 'blink']);
    expect(wrong.challenge).toEqual(['blink', 'turn-left']);
  });

  it('swap people at the cut, keep two side by side, and pan the face out of the frame', () => {
    const swap = plans.get('swap-grace-xmorph')!;
    const [first, second] = swap.subjects;
    expect([first!.subject, second!.subject]).toEqual(['grace', 'xmorph']);
    expect(first!.end).toBe(second!.start);
    swap.plans.forEach((plan, i) => expect(people(plan)[0]!.subject).toBe(i / 30 < first!.end ? 'grace' : 'xmorph'));
    expect(swap.actions.map((a) => [a.subject, a.step])).toEqual([
      ['grace', 'blink'],
      ['xmorph', 'turn-left'],
    ]);

    const two = plans.get('two-faces')!;
    for (const plan of two.plans) expect(people(plan).map((p) => p.subject)).toEqual(['grace', 'xmorph']);

    const leaves = plans.get('grace-leaves-frame')!;
    const [away] = leaves.absent;
    expect(away!.end - away!.start).toBeGreaterThan(0.8);
    const panned = leaves.plans[Math.round(((away!.start + away!.end) / 2) * 30)]!;
    expect(panned.camera.dx).toBeLessThan(-(320 + 200));
  });
});

describe('createRandom', () => {
  it('repeats for a seed and spreads over [0, 1)', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const values = Array.from({ length: 1000 }, () => a());
    expect(values).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(values.reduce((s, v) => s + v, 0) / values.length).toBeCloseTo(0.5, 1);
  });
});
