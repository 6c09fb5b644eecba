import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { FACES, stillClip } from '@facepay/testkit';
import { analyzeClip, parseChallenge } from './analyze.js';
import { readClipInfo } from './clip-info.js';
import { runAnalyze } from './command.js';

// `facepay analyze` end to end: headless Chromium, the clip, the worker and the engine.

let still: string;

beforeAll(async () => {
  still = await stillClip(join(FACES, 'grace_hopper.jpg'), 'still-grace-hopper');
});

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

describe('facepay analyze', () => {
  it('reads the clip header: size, rate and one pass', async () => {
    expect(await readClipInfo(still)).toEqual({ format: 'y4m', width: 640, height: 480, fps: 30, frames: 30, durationMs: 1000 });
  });

  it('does not call a still photo live, frame by frame, and says why', async () => {
    const result = await analyzeClip(still, { challenge: ['blink', 'turn-left'], everyFrame: true });
    expect(result.verdict).not.toBe('live');
    expect(result.reasons.length).toBeGreaterThan(0);
    expect(result.clip).toMatchObject({ mode: 'every-frame', analysed: 30, dropped: 0 });
    // The evidence is what the browser would send: compact features, bound to the challenge.
    expect(result.evidence.frames).toHaveLength(30);
    expect(result.evidence.steps).toEqual(['blink', 'turn-left']);
    expect(result.evidence.frames.every((f) => f.faces === 1)).toBe(true);
  });

  it('binds recorded evidence to a given session and nonce, and writes it with --evidence', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'facepay-analyze-'));
    const file = join(dir, 'evidence.json');
    const out = capture();
    await runAnalyze([still, '--challenge', 'nod', '--every-frame', '--evidence', file], out.stream);
    const written = JSON.parse(await readFile(file, 'utf8'));
    expect(written).toMatchObject({ version: 1, steps: ['nod'], sessionId: 'analyze' });
    expect(out.text()).toContain('every-frame, 30 analysed');
    const bound = await analyzeClip(still, { challenge: ['smile'], everyFrame: true, session: { id: 'sess_123', nonce: 'nonce-abc' } });
    expect(bound.evidence).toMatchObject({ sessionId: 'sess_123', nonce: 'nonce-abc', steps: ['smile'] });
    await rm(dir, { recursive: true, force: true });
  });

  it('plays the clip as the camera in real time and prints JSON in the documented shape', async () => {
    const out = capture();
    const code = await runAnalyze([still, '--challenge', 'blink,turn-left', '--json'], out.stream);
    expect(code).toBe(1);
    const json = JSON.parse(out.text());
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['verdict', 'score', 'checks', 'reasons']));
    expect(['spoof', 'inconclusive']).toContain(json.verdict);
    expect(json.clip.mode).toBe('real-time');
    expect(json.clip.analysed).toBeGreaterThan(0);
    for (const check of json.checks) expect(Object.keys(check).sort()).toEqual(['name', 'passed', 'value']);
  });

  it('answers misuse with usage and exit code 2', async () => {
    const err = capture();
    expect(await runAnalyze([still], capture().stream, err.stream)).toBe(2);
    expect(err.text()).toContain('--challenge');
    const bad = capture();
    expect(await runAnalyze([still, '--challenge', 'wink'], capture().stream, bad.stream)).toBe(2);
    expect(bad.text()).toContain('--challenge takes steps from');
    const missing = capture();
    expect(await runAnalyze(['/nonexistent/clip.y4m', '--challenge', 'blink'], capture().stream, missing.stream)).toBe(2);
    expect(missing.text()).toContain('facepay analyze:');
    expect(() => parseChallenge('blink,,turn-left')).not.toThrow();
    expect(() => parseChallenge('')).toThrow(TypeError);
  });
});
