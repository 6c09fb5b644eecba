import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { FACES, launchChromium, ROOT, stillClip } from '@facepay/testkit';

// The vision demo (`pnpm demo:vision`), as a real process, with the portrait as the camera.

let demo: ChildProcess;
let browser: Browser;
let url: string;

beforeAll(async () => {
  const clip = await stillClip(join(FACES, 'grace_hopper.jpg'), 'still-grace-hopper');
  browser = await launchChromium({ fakeCamera: clip });
  demo = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['scripts/vision-demo.ts'], { cwd: ROOT, env: { ...process.env, PORT: '0' } });
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    demo.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /facepay vision demo: (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    demo.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    demo.on('exit', (code) => reject(new Error(`demo exited with ${code}: ${out}`)));
  });
});

afterAll(async () => {
  await browser?.close();
  demo?.kill('SIGTERM');
});

it('shows the camera with the face outline, pose and blendshapes from the worker', async () => {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForSelector('body[data-vision="ready"]');
  await page.getByRole('button', { name: 'Start camera' }).click();
  await page.waitForSelector('body[data-faces="1"]', { timeout: 30_000 });
  const yaw = await page.locator('#yaw').textContent();
  expect(yaw).toMatch(/^-?\d+\.\d°$/);
  await expect.poll(() => page.locator('#blendshapes li').count()).toBe(12);
  // The outline is drawn in white on the overlay.
  const white = await page.evaluate(() => {
    const canvas = document.getElementById('overlay') as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let count = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] === 255 && data[i + 1] === 255 && data[i + 2] === 255 && data[i + 3] === 255) count++;
    return count;
  });
  expect(white).toBeGreaterThan(200);
});
