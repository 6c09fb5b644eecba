/** RGBA pixels of an aligned face crop, as `@facepay/face/node`'s `decodeCrop` gives them. */
export interface CropPixels {
  data: Uint8Array;
  width: number;
  height: number;
}

interface NodeEmbedder {
  embed(pixels: CropPixels): Promise<Float32Array>;
  dispose(): void;
}

type FaceNode = typeof import('@facepay/face/node');

/**
 * The server's side of `frames` mode: the same FaceRes model the browser runs, under Node
 * (`@facepay/face/node`), loaded on first use (merchants in `features` mode never pay for
 * it) and shared by every request of the process. Inference runs on this thread, so crops
 * are embedded one at a time, each after a turn of the event loop: other requests are
 * served between crops, and no request holds the loop for more than one embedding.
 */
export class CropEmbedder {
  #module: Promise<FaceNode> | undefined;
  #embedder: Promise<NodeEmbedder> | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  /** Decodes a base64 JPEG crop; rejects with the decoder's coded error when it is not one. */
  async decode(crop: string): Promise<CropPixels> {
    const face = await this.#face();
    return face.decodeCrop(crop);
  }

  /** The crop's template (L2-normalised), after any crops queued before it. */
  embed(pixels: CropPixels): Promise<Float32Array> {
    const run = this.#queue.then(async () => {
      const embedder = await this.#load();
      await new Promise((resolve) => setImmediate(resolve));
      return embedder.embed(pixels);
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Frees the model, once queued work is done. */
  async close(): Promise<void> {
    await this.#queue;
    const embedder = await this.#embedder?.catch(() => undefined);
    embedder?.dispose();
    this.#embedder = undefined;
  }

  #face(): Promise<FaceNode> {
    this.#module ??= import('@facepay/face/node').catch((error: unknown) => {
      this.#module = undefined;
      throw error;
    });
    return this.#module;
  }

  // A failed load (a missing model file) is not remembered: the next crop tries again.
  #load(): Promise<NodeEmbedder> {
    this.#embedder ??= this.#face()
      .then((face) => face.loadNodeEmbedder())
      .catch((error: unknown) => {
        this.#embedder = undefined;
        throw error;
      });
    return this.#embedder;
  }
}
