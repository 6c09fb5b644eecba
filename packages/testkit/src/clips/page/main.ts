// The clip generator's page side, bundled by esbuild and added to the test harness page
// (which provides the vision worker as `window.facepay.vision`).
import type * as vision from '@facepay/vision';
import type { FramePlan, SubjectSource } from '../plan.js';
import { Renderer } from './renderer.js';
import { paintRoom } from './room.js';
import { prepareSubject, type Subject } from './subject.js';

/** What the page offers the generator, as `window.facepayClips`. */
export interface ClipPage {
  /** Landmarks the portraits with the real vision worker and builds their rigs. */
  prepare(subjects: SubjectSource[], roomSeed: number): Promise<{ ms: number }>;
  /**
   * Renders the frames and POSTs each as I420 bytes to `${base}/${clip}/${index}`; screens
   * GET the frames they show from the same place.
   */
  render(frames: FramePlan[], base: string, clip: string): Promise<{ ms: number }>;
}

const host = window as unknown as { facepay: { vision: typeof vision }; facepayClips: ClipPage };
let renderer: Renderer | undefined;

host.facepayClips = {
  async prepare(sources, roomSeed) {
    const start = performance.now();
    const subjects = new Map<string, Subject>();
    for (const source of sources) {
      subjects.set(source.id, await prepareSubject(source, () => host.facepay.vision.createVisionClient()));
    }
    renderer = new Renderer(subjects, paintRoom(roomSeed));
    return { ms: performance.now() - start };
  },

  async render(frames, base, clip) {
    if (!renderer) throw new Error('prepare() first');
    const start = performance.now();
    // One upload in flight while the next frame renders.
    let pending: Promise<void> = Promise.resolve();
    for (let i = 0; i < frames.length; i++) {
      const plan = frames[i]!;
      const screen = plan.layers.find((layer) => layer.type === 'screen');
      const shown = screen ? await recorded(`${base}/${screen.content.clip}/${screen.content.frame}`) : undefined;
      const body = renderer.render(plan, shown).slice();
      await pending;
      pending = fetch(`${base}/${clip}/${i}`, { method: 'POST', body }).then((response) => {
        if (!response.ok) throw new Error(`upload of frame ${i}: HTTP ${response.status}`);
      });
    }
    await pending;
    return { ms: performance.now() - start };
  },
};

async function recorded(url: string): Promise<Uint8Array<ArrayBuffer>> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
