import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { analyzeClip, parseChallenge } from './analyze.js';

export const ANALYZE_USAGE = `facepay analyze <video.y4m|.mjpeg> --challenge blink,turn-left [--json] [--every-frame]

  Runs the real pipeline on a recorded clip: headless Chromium with the clip as the camera,
  the vision worker and the liveness engine. Prints the verdict, score, checks and reasons.

  --challenge   the steps the clip should perform, in order (required)
  --json        print JSON only
  --every-frame feed every decoded frame (deterministic) instead of real-time playback
  --evidence F  also write the recorded evidence (what the browser would send) to file F`;

/** `facepay analyze`; resolves to the exit code (0 live, 1 not live, 2 usage or failure). */
export async function runAnalyze(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  let values: { challenge?: string; json?: boolean; 'every-frame'?: boolean; evidence?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        challenge: { type: 'string' },
        json: { type: 'boolean' },
        'every-frame': { type: 'boolean' },
        evidence: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    err.write(`${(error as Error).message}\n\n${ANALYZE_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    out.write(`${ANALYZE_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1 || !values.challenge) {
    err.write(`${ANALYZE_USAGE}\n`);
    return 2;
  }
  try {
    const result = await analyzeClip(positionals[0]!, {
      challenge: parseChallenge(values.challenge),
      everyFrame: values['every-frame'] ?? false,
    });
    const { evidence, ...report } = result;
    if (values.evidence) await writeFile(values.evidence, `${JSON.stringify(evidence)}\n`);
    if (values.json) out.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      out.write(`verdict: ${result.verdict} (score ${result.score.toFixed(2)})\n`);
      for (const check of result.checks) out.write(`  ${check.passed ? 'pass' : 'FAIL'}  ${check.name.padEnd(16)} ${check.value}\n`);
      if (result.reasons.length) out.write(`reasons: ${result.reasons.join(', ')}\n`);
      const c = report.clip;
      out.write(`clip: ${c.frames} frames at ${c.fps} fps, ${c.mode}, ${c.analysed} analysed, ${c.dropped} dropped\n`);
    }
    return result.verdict === 'live' ? 0 : 1;
  } catch (error) {
    err.write(`facepay analyze: ${(error as Error).message}\n`);
    return 2;
  }
}
