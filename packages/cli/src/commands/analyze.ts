import type { Command } from '../command.js';
import { ANALYZE_USAGE, runAnalyze } from '../analyze/command.js';

export const analyze: Command = {
  name: ['analyze'],
  summary: 'run the real pipeline (Chromium, worker, liveness engine) on a recorded clip',
  usage: ANALYZE_USAGE,
  run: (args) => runAnalyze(args),
};
