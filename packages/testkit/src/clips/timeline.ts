import { STEP_SIGNALS, type ClipAction, type ClipKind, type ClipManifest, type Step } from './manifest.js';
import { FPS, FRAME_HEIGHT, FRAME_WIDTH, type FaceState, type FramePlan, type HeadState, type Layer } from './plan.js';
import { createRandom, seedOf } from './prng.js';
import { FACE_WIDTH, type SubjectId } from './subjects.js';

/** What a clip shows; `timeline` turns it into frame plans and a manifest. */
export interface ClipSpec {
  name: string;
  kind: ClipKind;
  /** The person the challenge is for; null for the empty room. */
  subject: SubjectId | null;
  /** Steps performed (or, by an attack, imitated), in order. */
  steps: Step[];
  challenge: Step[];
  expect: 'live' | 'not-live';
  description: string;
  /** The second person: beside the first (`two-faces`) or after the cut (`swap`). */
  other?: SubjectId;
  /** Replays: the live clip shown on the screen. */
  source?: ClipSpec;
}

export type ClipPlan = Omit<ClipManifest, 'files'> & { plans: FramePlan[] };

/** Neutral face at the start (the quality gate), between actions, and at the end (seconds). */
const LEAD = 1.0;
const GAP = 0.65;
const TAIL = 0.6;

/** A rise–hold–fall envelope with eased edges: 0 outside, 1 at the top. */
interface Envelope {
  start: number;
  rise: number;
  hold: number;
  fall: number;
}

const ease = (u: number): number => 0.5 - 0.5 * Math.cos(Math.PI * Math.min(1, Math.max(0, u)));

function level(e: Envelope, t: number): number {
  const u = t - e.start;
  if (u <= 0 || u >= e.rise + e.hold + e.fall) return 0;
  if (u < e.rise) return ease(u / e.rise);
  if (u < e.rise + e.hold) return 1;
  return 1 - ease((u - e.rise - e.hold) / e.fall);
}

const endOf = (e: Envelope): number => e.start + e.rise + e.hold + e.fall;

interface Performed {
  step: Step;
  envelope: Envelope;
  amplitude: number;
}

/**
 * Timing as people do it, varied a little by the seed: a deliberate blink closes fast,
 * stays shut a moment and opens slower (about 300 ms in all); a turn takes half a second
 * out, a short hold and back.
 */
function perform(step: Step, start: number, random: () => number): Performed {
  const jitter = (base: number, spread: number): number => base + spread * (random() - 0.5);
  switch (step) {
    case 'blink': {
      const total = jitter(0.3, 0.08);
      return { step, amplitude: 1, envelope: { start, rise: 0.3 * total, hold: 0.25 * total, fall: 0.45 * total } };
    }
    case 'turn-left':
    case 'turn-right':
      return {
        step,
        amplitude: jitter(29, 4),
        envelope: { start, rise: jitter(0.5, 0.1), hold: jitter(0.4, 0.1), fall: jitter(0.55, 0.1) },
      };
    case 'smile':
      return { step, amplitude: 1, envelope: { start, rise: jitter(0.4, 0.1), hold: jitter(0.7, 0.1), fall: jitter(0.45, 0.1) } };
    case 'open-mouth':
      return { step, amplitude: jitter(0.95, 0.1), envelope: { start, rise: jitter(0.35, 0.1), hold: jitter(0.6, 0.1), fall: jitter(0.4, 0.1) } };
    case 'nod':
      return { step, amplitude: jitter(20, 4), envelope: { start, rise: jitter(0.4, 0.08), hold: jitter(0.15, 0.05), fall: jitter(0.45, 0.08) } };
  }
}

/** Sum of two slow sines with random phases and rates: sway that never repeats exactly. */
function wobble(random: () => number, amplitude: number, slowest: number, fastest: number): (t: number) => number {
  const parts = [0, 1].map(() => ({
    rate: 2 * Math.PI * (slowest + random() * (fastest - slowest)),
    phase: random() * 2 * Math.PI,
    weight: 0.5 + random() * 0.5,
  }));
  const norm = parts.reduce((s, p) => s + p.weight, 0);
  return (t) => (amplitude * parts.reduce((s, p) => s + p.weight * Math.sin(p.rate * t + p.phase), 0)) / norm;
}

/** One person: their actions on a timeline, plus the small motions of a person sitting still. */
class Performer {
  readonly performed: Performed[] = [];
  private readonly sway: Record<keyof HeadState, (t: number) => number>;
  private readonly lean: number;

  constructor(
    readonly subject: SubjectId,
    private readonly random: () => number,
  ) {
    this.sway = {
      yaw: wobble(random, 1.2, 0.15, 0.5),
      pitch: wobble(random, 1.0, 0.15, 0.5),
      roll: wobble(random, 1.5, 0.1, 0.4),
      x: wobble(random, 5, 0.1, 0.4),
      y: wobble(random, 3, 0.15, 0.5),
      z: wobble(random, 10, 0.1, 0.3),
    };
    // Leaning in or back a little over the clip: the face's scale changes by a few percent.
    this.lean = (random() - 0.5) * 60;
  }

  /** Schedules steps one after another from `start`; returns when the last one ends. */
  act(steps: readonly Step[], start: number): number {
    let t = start;
    steps.forEach((step, i) => {
      if (i > 0) t += GAP + 0.2 * this.random();
      const performed = perform(step, t, this.random);
      this.performed.push(performed);
      t = endOf(performed.envelope);
    });
    return t;
  }

  head(t: number, duration: number): HeadState {
    let yaw = this.sway.yaw(t);
    let pitch = this.sway.pitch(t);
    for (const { step, envelope, amplitude } of this.performed) {
      const v = level(envelope, t) * amplitude;
      if (step === 'turn-left') yaw += v;
      if (step === 'turn-right') yaw -= v;
      if (step === 'nod') pitch -= v;
    }
    return {
      yaw,
      pitch,
      // People tilt their head a little into a turn.
      roll: this.sway.roll(t) + 0.08 * yaw,
      x: this.sway.x(t),
      y: this.sway.y(t),
      z: this.sway.z(t) + (this.lean * t) / duration,
    };
  }

  face(t: number): FaceState {
    const face = { blink: 0, smile: 0, jaw: 0 };
    for (const { step, envelope, amplitude } of this.performed) {
      const v = level(envelope, t) * amplitude;
      if (step === 'blink') face.blink = Math.max(face.blink, v);
      if (step === 'smile') face.smile = Math.max(face.smile, v);
      if (step === 'open-mouth') face.jaw = Math.max(face.jaw, v);
    }
    return face;
  }

  actions(): ClipAction[] {
    return this.performed.map(({ step, envelope, amplitude }) => ({
      step,
      subject: this.subject,
      start: round(envelope.start),
      peak: round(envelope.start + envelope.rise + envelope.hold / 2),
      end: round(endOf(envelope)),
      ...STEP_SIGNALS[step],
      amplitude: round(amplitude),
    }));
  }
}

/** Exposure, noise and the camera's own small shake, the same for every kind of clip. */
class Camera {
  private readonly shakeX: (t: number) => number;
  private readonly shakeY: (t: number) => number;
  private readonly gain: (t: number) => number;
  private readonly gradX: (t: number) => number;
  readonly gradY: number;

  constructor(
    random: () => number,
    private readonly exposure = 1,
    private readonly noise = 2.5,
  ) {
    this.shakeX = wobble(random, 1.5, 0.5, 1.5);
    this.shakeY = wobble(random, 1.2, 0.5, 1.5);
    // Light drifting (a cloud, a screen changing) and falling off across the frame.
    this.gain = wobble(random, 0.06, 0.1, 0.3);
    this.gradX = wobble(random, 0.15, 0.05, 0.15);
    this.gradY = -0.08 * random();
  }

  frame(t: number, seed: number, layers: Layer[], pan = 0): FramePlan {
    return {
      layers,
      camera: { dx: this.shakeX(t) + pan, dy: this.shakeY(t), scale: 1, roll: 0 },
      light: { gain: this.exposure * (1 + this.gain(t)), gradX: this.gradX(t), gradY: this.gradY },
      noise: this.noise,
      seed,
    };
  }
}

/** Turns a clip spec into a frame plan for every frame and the clip's manifest. */
export function timeline(spec: ClipSpec): ClipPlan {
  const seed = seedOf(spec.name);
  const random = createRandom(seed);
  const frameSeed = (i: number): number => (seed + Math.imul(i + 1, 0x9e3779b1)) >>> 0;
  const frameCount = (seconds: number): number => Math.round(seconds * FPS);
  const times = (count: number): number[] => Array.from({ length: count }, (_, i) => i / FPS);
  const base = {
    name: spec.name,
    kind: spec.kind,
    subject: spec.subject,
    description: spec.description,
    fps: FPS,
    width: FRAME_WIDTH,
    height: FRAME_HEIGHT,
    challenge: spec.challenge,
    expect: spec.expect,
    seed,
    absent: [] as Array<{ start: number; end: number }>,
  };
  const finish = (
    plans: FramePlan[],
    rest: Pick<ClipManifest, 'subjects' | 'faces' | 'actions'> & { absent?: ClipManifest['absent'] },
  ): ClipPlan => {
    const duration = round(plans.length / FPS);
    const subjects = rest.subjects.map((s) => ({ ...s, end: Math.min(s.end, duration) }));
    return { ...base, ...rest, subjects, frames: plans.length, duration, plans };
  };
  const person = (p: Performer, t: number, duration: number, view?: NonNullable<Extract<Layer, { type: 'person' }>['view']>): Layer => ({
    type: 'person',
    subject: p.subject,
    head: p.head(t, duration),
    face: p.face(t),
    ...(view ? { view } : {}),
  });

  switch (spec.kind) {
    case 'live':
    case 'low-light': {
      const performer = new Performer(need(spec.subject), random);
      const duration = performer.act(spec.steps, LEAD + 0.1 * random()) + TAIL;
      const camera = spec.kind === 'live' ? new Camera(random) : new Camera(random, 0.15, 4);
      const plans = times(frameCount(duration)).map((t, i) => camera.frame(t, frameSeed(i), [person(performer, t, duration)]));
      return finish(plans, {
        subjects: [{ subject: performer.subject, start: 0, end: duration }],
        faces: 1,
        actions: performer.actions(),
      });
    }

    case 'two-faces': {
      const first = new Performer(need(spec.subject), random);
      const second = new Performer(need(spec.other), random);
      const duration = first.act(spec.steps, LEAD + 0.1 * random()) + TAIL;
      const camera = new Camera(random);
      const half = FRAME_WIDTH / 2;
      const plans = times(frameCount(duration)).map((t, i) =>
        camera.frame(t, frameSeed(i), [
          person(first, t, duration, { left: 0, right: half, scale: 0.62, dx: -half / 2 }),
          person(second, t, duration, { left: half, right: FRAME_WIDTH, scale: 0.62, dx: half / 2 }),
        ]),
      );
      return finish(plans, {
        subjects: [first, second].map((p) => ({ subject: p.subject, start: 0, end: duration })),
        faces: 2,
        actions: first.actions(),
      });
    }

    case 'swap': {
      const first = new Performer(need(spec.subject), random);
      const second = new Performer(need(spec.other), random);
      const [firstSteps, secondSteps] = [spec.steps.slice(0, 1), spec.steps.slice(1)];
      const cut = round(first.act(firstSteps, LEAD + 0.1 * random()) + GAP + 0.1);
      // The second person settles into the frame before acting.
      const duration = second.act(secondSteps, cut + 0.8) + TAIL;
      const camera = new Camera(random);
      const plans = times(frameCount(duration)).map((t, i) =>
        camera.frame(t, frameSeed(i), [person(t < cut ? first : second, t, duration)]),
      );
      return finish(plans, {
        subjects: [
          { subject: first.subject, start: 0, end: cut },
          { subject: second.subject, start: cut, end: duration },
        ],
        faces: 1,
        actions: [...first.actions(), ...second.actions()],
      });
    }

    case 'leaves-frame': {
      const performer = new Performer(need(spec.subject), random);
      const [before, after] = [spec.steps.slice(0, 1), spec.steps.slice(1)];
      const away: Envelope = { start: performer.act(before, LEAD + 0.1 * random()) + GAP, rise: 0.5, hold: 1.0, fall: 0.5 };
      const duration = performer.act(after, endOf(away) + GAP + 0.1) + TAIL;
      // The camera pans until the whole head is out of the frame on the left.
      const pan = -(FRAME_WIDTH / 2 + 1.5 * FACE_WIDTH);
      const camera = new Camera(random);
      const plans = times(frameCount(duration)).map((t, i) =>
        camera.frame(t, frameSeed(i), [person(performer, t, duration)], pan * level(away, t)),
      );
      // Out of sight while the face's far edge (with hair) is past the frame's left edge.
      const out = times(plans.length).filter((t) => -pan * level(away, t) > FRAME_WIDTH / 2 + 0.75 * FACE_WIDTH + 10);
      return finish(plans, {
        subjects: [{ subject: performer.subject, start: 0, end: duration }],
        faces: 1,
        actions: performer.actions(),
        absent: out.length ? [{ start: round(out[0]!), end: round(out.at(-1)! + 1 / FPS) }] : [],
      });
    }

    case 'no-face': {
      const duration = 4;
      const camera = new Camera(random);
      const plans = times(frameCount(duration)).map((t, i) => camera.frame(t, frameSeed(i), [{ type: 'room' }]));
      return finish(plans, { subjects: [], faces: 0, actions: [] });
    }

    case 'print': {
      // Somebody holds the portrait, printed, in front of the camera and tilts it for a turn.
      const subject = need(spec.subject);
      const hand = new Performer(subject, random);
      const duration = hand.act(spec.steps, LEAD + 0.1 * random()) + TAIL;
      const camera = new Camera(random);
      const shake = { x: wobble(random, 6, 0.3, 1), y: wobble(random, 5, 0.3, 1), roll: wobble(random, 2, 0.2, 0.8) };
      const plans = times(frameCount(duration)).map((t, i) => {
        const head = hand.head(t, duration);
        return camera.frame(t, frameSeed(i), [
          { type: 'room' },
          {
            type: 'print',
            subject,
            plane: { yaw: head.yaw, pitch: head.pitch, roll: shake.roll(t), x: FRAME_WIDTH / 2 + shake.x(t), y: 250 + shake.y(t), height: 440 },
            sheen: 0.12 + 0.08 * Math.sin(t * 1.3),
            sheenX: 200 + 60 * t,
          },
        ]);
      });
      return finish(plans, { subjects: [{ subject, start: 0, end: duration }], faces: 1, actions: hand.actions() });
    }

    case 'replay':
    case 'replay-wrong-order': {
      // A screen held in front of the camera plays the source clip from its start.
      const sourceSpec = need(spec.source);
      const source = timeline(sourceSpec);
      const camera = new Camera(random);
      const shake = { x: wobble(random, 4, 0.3, 1), y: wobble(random, 3, 0.3, 1), yaw: wobble(random, 2, 0.2, 0.6), roll: wobble(random, 1.5, 0.2, 0.6) };
      const glare = { x: wobble(random, 40, 0.1, 0.3), y: wobble(random, 30, 0.1, 0.3) };
      const plans = source.plans.map((_, i) => {
        const t = i / FPS;
        return camera.frame(t, frameSeed(i), [
          { type: 'room' },
          {
            type: 'screen',
            content: { clip: sourceSpec.name, frame: i },
            plane: { yaw: 6 + shake.yaw(t), pitch: -3, roll: shake.roll(t), x: FRAME_WIDTH / 2 + shake.x(t), y: 245 + shake.y(t), height: 400 },
            glare: { x: 430 + glare.x(t), y: 150 + glare.y(t), radius: 110, strength: 0.3 },
            moirePhase: 0.05 * t,
          },
        ]);
      });
      return finish(plans, { subjects: source.subjects, faces: 1, actions: source.actions });
    }
  }
}

function need<T>(value: T | null | undefined): T {
  if (value === null || value === undefined) throw new TypeError('clip spec is missing a subject or source');
  return value;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
