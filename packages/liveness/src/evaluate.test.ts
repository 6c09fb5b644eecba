import type { CheckName, Evaluation, Evidence } from '@facepay/protocol';
import { describe, expect, it } from 'vitest';
import { evaluate } from './evaluate.js';
import { toEvidenceFrame } from './features.js';
import { DEFAULT_POLICY } from './policy.js';
import { OTHER_FACE, CANONICAL_FACE, act, excursion, generateScene, move, still, type FaceShape } from './testing/synthetic-face.js';
import { TEST_CAMERA, liveScript, session } from './testing/session.js';

const check = (evaluation: Evaluation, name: CheckName) => evaluation.checks.find((c) => c.name === name)!;
const challenge = { nonce: 'nonce-test', steps: ['turn-left', 'blink'] as const };
const live = session([...challenge.steps]);

/** Evaluates a copy of the live evidence after `edit`. */
function edited(edit: (evidence: Evidence) => void, policy = {}): Evaluation {
  const evidence: Evidence = structuredClone(live.evidence);
  edit(evidence);
  return evaluate(evidence, { ...challenge, steps: [...challenge.steps] }, policy);
}

describe('evaluate: a live session', () => {
  it('is live with every check passed and no reasons', () => {
    expect(live.evaluation.verdict).toBe('live');
    expect(live.evaluation.score).toBe(1);
    expect(live.evaluation.reasons).toEqual([]);
    expect(live.evaluation.checks.map((c) => c.name)).toEqual([
      'challenge', 'quality', 'planarity', 'identity', 'timestamps', 'frame-rate', 'frozen-frames', 'speed', 'micro-motion', 'camera', 'screen',
    ]);
    for (const c of live.evaluation.checks) expect(c.passed, c.name).toBe(true);
  });

  it('decides the same on the server from the JSON the browser sent', () => {
    const sent = JSON.parse(JSON.stringify(live.evidence)) as Evidence;
    expect(evaluate(sent, { nonce: 'nonce-test', steps: ['turn-left', 'blink'] })).toEqual(live.evaluation);
  });

  it('is live for every challenge step combination the generator draws', () => {
    for (const steps of [['nod', 'smile', 'turn-right'], ['open-mouth', 'turn-left'], ['blink', 'nod', 'smile']] as const) {
      expect(session([...steps]).evaluation, steps.join()).toMatchObject({ verdict: 'live', reasons: [] });
    }
  }, 20_000);
});

describe('evaluate: evidence for another challenge', () => {
  it('is a spoof when the nonce differs', () => {
    expect(evaluate(live.evidence, { nonce: 'other', steps: ['turn-left', 'blink'] })).toEqual({
      verdict: 'spoof', score: 0, checks: [], reasons: ['evidence-nonce-mismatch'],
    });
  });

  it('is a spoof when the steps differ', () => {
    expect(evaluate(live.evidence, { nonce: 'nonce-test', steps: ['blink', 'turn-left'] }).reasons).toEqual(['evidence-steps-mismatch']);
  });
});

describe('planarity (parallax)', () => {
  it('finds parallax in a real head turning and nodding', () => {
    expect(check(live.evaluation, 'planarity').value).toBeGreaterThan(DEFAULT_POLICY.planarityMinResidual * 2);
    const nod = session(['nod', 'blink']).evaluation;
    expect(check(nod, 'planarity')).toMatchObject({ passed: true });
  });

  it('catches a photo (or a screen) tilted to fake the turn, though the steps pass', () => {
    const photo = session(['turn-left', 'blink'], { subject: 'photo' }).evaluation;
    expect(check(photo, 'challenge').passed).toBe(true);
    expect(check(photo, 'planarity')).toMatchObject({ passed: false });
    expect(check(photo, 'planarity').value).toBeLessThan(DEFAULT_POLICY.planarityMinResidual / 2);
    expect(photo.verdict).toBe('spoof');
    expect(photo.reasons[0]).toBe('planar-motion');
  });

  it('catches a photo tilted forward for a nod', () => {
    const photo = session(['nod', 'smile'], { subject: 'photo' }).evaluation;
    expect(photo).toMatchObject({ verdict: 'spoof' });
    expect(photo.reasons).toContain('planar-motion');
  });

  it('stays a photo at any landmark noise a webcam gives, and a head stays a head', () => {
    for (const jitterPx of [0.2, 0.6, 1]) {
      expect(check(session(['turn-right'], { subject: 'photo', jitterPx, seed: 11 }).evaluation, 'planarity').passed, `photo ${jitterPx}`).toBe(false);
      expect(check(session(['turn-right'], { jitterPx, seed: 11 }).evaluation, 'planarity').passed, `head ${jitterPx}`).toBe(true);
    }
  }, 20_000);

  it('measures a natural rotation when the challenge has no turn or nod', () => {
    const noTurn = session(['blink', 'smile']).evaluation;
    expect(check(noTurn, 'planarity')).toEqual({ name: 'planarity', passed: false, value: 0 });
    expect(noTurn.reasons).toEqual(['no-parallax']);
    // Costs weights.noParallax only: a completed challenge stays live.
    expect(noTurn).toMatchObject({ verdict: 'live', score: 0.75 });
    const glance = generateScene({ script: [still(1000), act('blink'), excursion({ yaw: 16 }, 1000), act('smile'), still(500)] });
    const frames = glance.map((f) => toEvidenceFrame(f.observation, f.epochMs - glance[0]!.epochMs));
    const evidence: Evidence = { ...live.evidence, steps: ['blink', 'smile'], frames };
    expect(check(evaluate(evidence, { nonce: 'nonce-test', steps: ['blink', 'smile'] }), 'planarity').passed).toBe(true);
  });
});

describe('identity continuity', () => {
  it('holds for one face through turns, blinks, smiles and an open mouth', () => {
    const one = session(['turn-left', 'smile', 'open-mouth']).evaluation;
    expect(check(one, 'identity').passed).toBe(true);
    expect(check(one, 'identity').value).toBeLessThan(DEFAULT_POLICY.identityMaxDeviation * 0.7);
  });

  it('catches another face swapped in mid-session', () => {
    const swapped = session(['turn-left', 'blink', 'turn-right'], { swap: { atMs: 2600, shape: OTHER_FACE } }).evaluation;
    expect(check(swapped, 'identity')).toMatchObject({ passed: false });
    expect(swapped).toMatchObject({ verdict: 'spoof' });
    expect(swapped.reasons[0]).toBe('identity-changed');
  });

  // Another person rarely rests at the first one's pose: the swapped-in face settles turned
  // and nodded a little (within the 10° that count as neutral) and does the turn from there.
  const settledScript = (rest: { yaw: number; pitch: number }) => [
    still(1000),
    act('blink'),
    still(400),
    move({}, rest, 60),
    move(rest, rest, 600),
    move(rest, { ...rest, yaw: rest.yaw + 30 }, 500),
    move({ ...rest, yaw: rest.yaw + 30 }, { ...rest, yaw: rest.yaw + 30 }, 400),
    move({ ...rest, yaw: rest.yaw + 30 }, rest, 500),
    move(rest, rest, 600),
  ];
  const settled = (shape: FaceShape, policy = {}) =>
    session(['blink', 'turn-left'], { script: settledScript({ yaw: 8, pitch: 6 }), swap: { atMs: 1700, shape } }, { policy }).evaluation;
  // Turned, only the vertical proportions count. The two test portraits differ there, head-on
  // (measured from their clips, cm): temples 1 higher, forehead 0.4, face sides 0.27, nose
  // tip 0.5 and the nose's base 0.3 lower.
  const lift = new Map([[54, 1], [284, 1], [151, 0.4], [234, 0.27], [454, 0.27], [1, -0.5], [2, -0.3]]);
  const SECOND_PORTRAIT: FaceShape = new Map([...CANONICAL_FACE].map(([landmark, [x, y, z]]) => [landmark, [x, y + (lift.get(landmark) ?? 0), z]]));

  it('catches a face swapped in that rests turned away from the baseline pose', () => {
    const swapped = settled(SECOND_PORTRAIT);
    expect(check(swapped, 'challenge').passed).toBe(true);
    expect(check(swapped, 'identity')).toMatchObject({ passed: false });
    expect(swapped).toMatchObject({ verdict: 'spoof' });
    expect(swapped.reasons[0]).toBe('identity-changed');
    // Compared only within 5° of the baseline pose, as before, the swap is never looked at.
    expect(settled(SECOND_PORTRAIT, { identityMaxDeg: 5 })).toMatchObject({ verdict: 'live' });
  });

  it('holds for one face that settles turned away from the baseline pose and turns from there', () => {
    const same = settled(CANONICAL_FACE);
    expect(same).toMatchObject({ verdict: 'live' });
    expect(check(same, 'identity').value).toBeLessThan(DEFAULT_POLICY.identityMaxDeviation * 0.7);
  });

  it('does not mistake the same face swapped back in for another', () => {
    const same = session(['turn-left', 'blink', 'turn-right'], { swap: { atMs: 2600, shape: CANONICAL_FACE } }).evaluation;
    expect(check(same, 'identity').passed).toBe(true);
  });
});

describe('temporal sanity', () => {
  it('rejects time going backwards or not starting at 0', () => {
    const backwards = edited((e) => {
      [e.frames[40]!.t, e.frames[41]!.t] = [e.frames[41]!.t, e.frames[40]!.t];
    });
    expect(check(backwards, 'timestamps')).toEqual({ name: 'timestamps', passed: false, value: 0 });
    expect(backwards.verdict).toBe('spoof');
    expect(backwards.reasons).toContain('timestamps-invalid');
    const duplicated = edited((e) => {
      e.frames[41]!.t = e.frames[40]!.t;
    });
    expect(duplicated.reasons).toContain('timestamps-invalid');
    const shifted = edited((e) => {
      for (const f of e.frames) f.t += 100;
    });
    expect(shifted.reasons).toContain('timestamps-invalid');
  });

  it('flags a frame rate no camera and worker give, or a long stall', () => {
    const slow = session(['turn-left'], { fps: 5 }).evaluation;
    expect(check(slow, 'frame-rate')).toMatchObject({ passed: false, value: 5 });
    expect(slow.reasons).toContain('frame-rate-implausible');
    const fast = edited((e) => {
      for (const f of e.frames) f.t = Math.round(f.t / 4);
    });
    expect(check(fast, 'frame-rate').passed).toBe(false);
    const stalled = edited((e) => {
      for (const f of e.frames.slice(30)) f.t += 1500;
    });
    expect(check(stalled, 'frame-rate').passed).toBe(false);
    expect(check(stalled, 'timestamps').passed).toBe(true);
  });

  it('catches frozen frames (a stalled or looped feed repeats landmarks exactly)', () => {
    const frozen = session(['turn-left', 'blink'], { frozen: [[1200, 2000]] }).evaluation;
    expect(check(frozen, 'frozen-frames').passed).toBe(false);
    expect(check(frozen, 'frozen-frames').value).toBeGreaterThan(DEFAULT_POLICY.maxFrozenRatio);
    expect(frozen.verdict).toBe('spoof');
    expect(check(live.evaluation, 'frozen-frames').value).toBe(0);
  });

  it('catches a head that jumps faster than a head can turn', () => {
    const jump = edited((e) => {
      for (const f of e.frames.slice(20, 26)) f.face!.pose[2] += 80;
    });
    expect(check(jump, 'speed')).toMatchObject({ passed: false });
    expect(check(jump, 'speed').value).toBeGreaterThan(DEFAULT_POLICY.maxAngularSpeed);
    expect(jump.reasons).toContain('implausible-speed');
    expect(check(live.evaluation, 'speed').value).toBeLessThan(DEFAULT_POLICY.maxAngularSpeed / 3);
  });

  it('does not count one wild pose estimate as speed', () => {
    const glitch = edited((e) => {
      e.frames[22]!.face!.pose[2] += 40;
    });
    expect(check(glitch, 'speed').passed).toBe(true);
  });

  it('wants natural micro-motion between actions', () => {
    // Made-up evidence: every still frame exactly like the last one, apart from the box.
    const smooth = edited((e) => {
      for (let i = 1; i < e.frames.length; i++) {
        const a = e.frames[i - 1]!.face!;
        const b = e.frames[i]!.face!;
        if (Math.abs(a.pose[0] - b.pose[0]) < 1 && Math.abs(a.pose[1] - b.pose[1]) < 1) {
          b.pts = [...a.pts];
          b.box = [a.box[0] + 0.0001, a.box[1], a.box[2], a.box[3]];
        }
      }
    });
    expect(check(smooth, 'micro-motion')).toMatchObject({ passed: false });
    expect(smooth.reasons).toContain('no-micro-motion');
    expect(check(live.evaluation, 'micro-motion').value).toBeGreaterThan(DEFAULT_POLICY.minMicroMotion * 2);
  });
});

describe('camera sanity', () => {
  it.each(['OBS Virtual Camera', 'ManyCam Virtual Webcam', 'Dummy video device (0x0000) v4l2loopback', 'XSplit VCam', 'Snap Camera'])('flags %s as a virtual camera', (label) => {
    const virtual = edited((e) => {
      e.camera = { ...e.camera, label };
    });
    expect(check(virtual, 'camera')).toEqual({ name: 'camera', passed: false, value: 0 });
    expect(virtual.reasons).toEqual(['virtual-camera']);
  });

  it('weighs a virtual camera as configured: a signal by default, decisive at weight 1', () => {
    const obs = (policy = {}) => edited((e) => {
      e.camera = { ...e.camera, label: 'OBS Virtual Camera' };
    }, policy);
    expect(obs()).toMatchObject({ verdict: 'live', score: 0.75 });
    expect(obs({ weights: { camera: 1 } })).toMatchObject({ verdict: 'spoof', score: 0 });
    expect(obs({ weights: { camera: 0 } })).toMatchObject({ verdict: 'live', score: 1 });
  });

  it('passes real camera names', () => {
    for (const label of ['FaceTime HD Camera', 'Integrated Camera (04f2:b6dd)', 'Logitech BRIO (046d:085e)', 'Front Camera']) {
      expect(check(edited((e) => void (e.camera = { ...e.camera, label })), 'camera').passed, label).toBe(true);
    }
  });

  it('flags settings no real camera reports', () => {
    const cases: Partial<Evidence['camera']>[] = [
      { frameRate: 1000 },
      { frameRate: 10 }, // 30 frames a second analysed from a 10 fps camera
      { width: 0 },
      { width: 20_000 },
      { settings: { width: 1280, height: 720 } },
      { settings: { aspectRatio: 16 / 9 } },
    ];
    for (const camera of cases) {
      const evaluation = edited((e) => void (e.camera = { ...TEST_CAMERA, ...camera }));
      expect(evaluation.reasons, JSON.stringify(camera)).toContain('camera-settings-implausible');
    }
  });
});

describe('screen (moiré)', () => {
  /** The live evidence with `score(i)` as the screen score of the i-th face frame. */
  const screened = (score: (i: number) => number | undefined, policy = {}) =>
    edited((e) => {
      e.frames.filter((f) => f.face).forEach((f, i) => {
        const value = score(i);
        if (value !== undefined) f.face!.screen = value;
      });
    }, policy);
  const max = DEFAULT_POLICY.screenMaxScore;

  it('leaves evidence without screen scores (older clients) unjudged: passed, value 0, nothing lost', () => {
    expect(check(live.evaluation, 'screen')).toEqual({ name: 'screen', passed: true, value: 0 });
    expect(live.evaluation).toMatchObject({ verdict: 'live', score: 1 });
    // Too few measured frames to judge: still unjudged, however high they are.
    const few = screened((i) => (i < DEFAULT_POLICY.screenMinFrames - 1 ? 4 : undefined));
    expect(check(few, 'screen')).toEqual({ name: 'screen', passed: true, value: 0 });
  });

  it('passes a real face\'s scores and reports their median', () => {
    const real = screened((i) => [0.8, 0.9, 1][i % 3]);
    expect(check(real, 'screen')).toEqual({ name: 'screen', passed: true, value: 0.9 });
    expect(real).toMatchObject({ verdict: 'live', score: 1, reasons: [] });
  });

  it('fails just above screenMaxScore and passes at it', () => {
    expect(check(screened(() => max), 'screen')).toMatchObject({ passed: true, value: max });
    const above = screened(() => max + 0.01);
    expect(check(above, 'screen')).toMatchObject({ passed: false, value: max + 0.01 });
    expect(above).toMatchObject({ verdict: 'spoof', score: 0 });
    expect(above.reasons[0]).toBe('screen-detected');
  });

  it('judges the session\'s median: a few odd frames do not decide, a screen held throughout does', () => {
    expect(check(screened((i) => (i % 3 === 0 ? 3 : 0.9)), 'screen').passed).toBe(true);
    expect(check(screened((i) => (i % 3 === 0 ? 0.9 : 3)), 'screen').passed).toBe(false);
    // Frames without a score (a face too small to measure) do not count either way.
    expect(check(screened((i) => (i % 2 ? undefined : 2.6)), 'screen')).toMatchObject({ passed: false, value: 2.6 });
  });

  it('follows the policy: threshold and weight', () => {
    const screen = (policy = {}) => screened(() => 2.5, policy);
    expect(screen({ screenMaxScore: 3 })).toMatchObject({ verdict: 'live', score: 1 });
    expect(screen({ weights: { screen: 0.25 } })).toMatchObject({ verdict: 'live', score: 0.75, reasons: ['screen-detected'] });
    expect(screen({ weights: { screen: 0 } })).toMatchObject({ verdict: 'live', score: 1 });
  });
});

describe('score and verdict', () => {
  it('is inconclusive with a partial score while the challenge is incomplete', () => {
    const half = session(['turn-left', 'nod'], {}, {});
    const cut: Evidence = { ...half.evidence, frames: half.evidence.frames.filter((f) => f.t < 2500) };
    const evaluation = evaluate(cut, { nonce: 'nonce-test', steps: ['turn-left', 'nod'] });
    expect(evaluation).toMatchObject({ verdict: 'inconclusive', score: 0.5, reasons: ['step-missing'] });
  });

  it('is a spoof when soft failures add up below maxSpoofScore', () => {
    const both = edited((e) => {
      e.camera = { ...e.camera, label: 'OBS Virtual Camera' };
      for (let i = 1; i < e.frames.length; i++) {
        const a = e.frames[i - 1]!.face!;
        const b = e.frames[i]!.face!;
        if (Math.abs(a.pose[0] - b.pose[0]) < 1 && Math.abs(a.pose[1] - b.pose[1]) < 1) {
          b.pts = [...a.pts];
          b.box = [a.box[0] + 0.0001, a.box[1], a.box[2], a.box[3]];
        }
      }
    });
    expect(both).toMatchObject({ verdict: 'spoof', score: 0.25 });
    expect(both.reasons).toEqual(['no-micro-motion', 'virtual-camera']);
  });

  it('lists decisive failures before what the shopper can fix', () => {
    const photo = session(['turn-left', 'nod'], { subject: 'photo' });
    const cut: Evidence = { ...photo.evidence, frames: photo.evidence.frames.filter((f) => f.t < 2500) };
    const evaluation = evaluate(cut, { nonce: 'nonce-test', steps: ['turn-left', 'nod'] });
    expect(evaluation.reasons[0]).toBe('planar-motion');
    expect(evaluation.reasons.indexOf('step-missing')).toBeGreaterThan(0);
    expect(evaluation.reasons.at(-1)).toBe('step-missing');
  });

  it('follows the policy it is given', () => {
    expect(edited(() => undefined, { planarityMinResidual: 1 })).toMatchObject({ verdict: 'spoof', reasons: ['planar-motion'] });
    expect(edited(() => undefined, { minLiveScore: 1.1 })).toMatchObject({ verdict: 'inconclusive', score: 1 });
  });

  it('is deterministic', () => {
    expect(evaluate(live.evidence, { nonce: 'nonce-test', steps: ['turn-left', 'blink'] })).toEqual(evaluate(live.evidence, { nonce: 'nonce-test', steps: ['turn-left', 'blink'] }));
  });

  it('survives a live script at every seed (no flaky thresholds)', () => {
    for (let seed = 1; seed <= 12; seed++) {
      expect(session(['turn-left', 'blink'], { seed, timingJitterMs: 8 }).evaluation, `seed ${seed}`).toMatchObject({ verdict: 'live' });
      expect(session(['turn-right', 'smile'], { seed, subject: 'photo' }).evaluation.verdict, `photo seed ${seed}`).toBe('spoof');
    }
  }, 20_000);
});

describe('the generator', () => {
  it('keeps the head in frame for the live script', () => {
    const frames = generateScene({ script: liveScript(['turn-left']) });
    expect(frames.every((f) => f.observation.faces.length === 1)).toBe(true);
  });
});
