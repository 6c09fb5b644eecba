import { Worker } from 'node:worker_threads';
import { ErrorCode, FacePayError, isErrorCode } from '@facepay/protocol';

// The worker's whole program: load FaceRes once (from the module URL the server resolved,
// so source and built runs load the same file the server would), then decode and embed
// crops as they come, answering each with its template or a coded error. Run from source
// (tests, `pnpm facepay`), the server's TypeScript loader is not inherited by workers: the
// worker registers it first.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const loader = workerData.loader ? import(workerData.loader).then((tsx) => tsx.register()) : Promise.resolve();
const face = loader.then(() => import(workerData.module));
const embedder = face.then((module) => module.loadNodeEmbedder());
embedder.catch(() => {});
parentPort.on('message', async ({ id, crop }) => {
  try {
    const pixels = (await face).decodeCrop(crop);
    const template = await (await embedder).embed(pixels);
    parentPort.postMessage({ id, template }, [template.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: { code: error && error.code, message: String((error && error.message) || error) } });
  }
});
`;

interface Pending {
  resolve(template: Float32Array): void;
  reject(error: Error): void;
}

/**
 * The server's side of `frames` mode: the same FaceRes model the browser runs, under Node
 * (`@facepay/face/node`, TensorFlow.js on wasm). It runs in a worker thread, started on
 * first use (merchants in `features` mode never pay for it: ≈ 3 s and ≈ 30 MB) and shared by
 * every request of the process, so decoding and inference (≈ 180–250 ms a crop on a free
 * core of this machine) never block the event loop. Crops are embedded one at a time: a burst of
 * frames-mode verifies queues rather than multiplying memory, each crop after those queued
 * before it.
 */
export class CropEmbedder {
  #worker: Worker | undefined;
  #pending = new Map<number, Pending>();
  #nextId = 0;
  #queue: Promise<unknown> = Promise.resolve();

  /**
   * The template (L2-normalised) of a base64 JPEG crop. Rejects with `crop-invalid` when it
   * is not a FACE_CROP_SIZE² JPEG, with the embedder's coded error (`asset-missing`,
   * `model-load-failed`, `inference-failed`), or `worker-crashed` when the worker died (the
   * next call starts a new one).
   */
  embedCrop(crop: string): Promise<Float32Array> {
    const run = this.#queue.then(() => this.#send(crop));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Stops the worker; calls in flight reject with `worker-closed`. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    this.#failAll(new FacePayError(ErrorCode.WorkerClosed, 'The face embedder was closed'));
    await worker?.terminate();
  }

  #send(crop: string): Promise<Float32Array> {
    const worker = this.#worker ?? this.#start();
    const id = this.#nextId++;
    return new Promise<Float32Array>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, crop });
    });
  }

  #start(): Worker {
    const module = import.meta.resolve('@facepay/face/node');
    const loader = module.endsWith('.ts') ? import.meta.resolve('tsx/esm/api') : undefined;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, loader } });
    // The server closes it; nothing else should wait for it.
    worker.unref();
    worker.on('message', (message: { id: number; template?: Float32Array; error?: { code: unknown; message: string } }) => {
      const pending = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (!pending) return;
      if (message.template) pending.resolve(message.template);
      else pending.reject(new FacePayError(isErrorCode(message.error?.code) ? message.error.code : ErrorCode.InferenceFailed, message.error?.message ?? 'The face embedder failed'));
    });
    const died = (why: string) => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.#failAll(new FacePayError(ErrorCode.WorkerCrashed, `The face embedder's worker ${why}`));
    };
    worker.on('error', (error) => died(`failed: ${error.message}`));
    worker.on('exit', (code) => died(`exited (${code})`));
    this.#worker = worker;
    return worker;
  }

  #failAll(error: FacePayError): void {
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}
