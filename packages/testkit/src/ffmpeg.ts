import { execFile } from 'node:child_process';
import { mkdir, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Makes `out` with Debian's ffmpeg unless it is already there: ffmpeg writes a temporary
 * file that is renamed once complete, so an interrupted run never leaves a half clip.
 * `args` are ffmpeg's arguments up to, not including, the output file.
 */
export async function ffmpegOnce(out: string, args: string[]): Promise<string> {
  if (await stat(out).then((s) => s.size > 0, () => false)) return out;
  await mkdir(dirname(out), { recursive: true });
  const partial = `${out}.partial-${process.pid}.y4m`;
  await run('ffmpeg', ['-v', 'error', '-y', ...args, partial]);
  await rename(partial, out);
  return out;
}
