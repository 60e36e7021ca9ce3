/**
 * onnxruntime-web as a peer: WebGPU EP (the JSEP build that the default `onnxruntime-web` entry ships in 1.30)
 * or the wasm CPU EP. Its runtime .mjs/.wasm files are loaded from `wasmPaths`, which the page points at the
 * copy Vite serves from node_modules (no network).
 */
import type { FrameRunner, FrameOutput } from '../bench/runner.ts';

export type OrtEp = 'webgpu' | 'wasm';

/** Where the page serves node_modules/onnxruntime-web/dist/ (Vite dev server, project root). */
export const ORT_WASM_PATHS = '/node_modules/onnxruntime-web/dist/';

type Ort = typeof import('onnxruntime-web');
let ortModule: Promise<Ort> | undefined;

async function loadOrt(): Promise<Ort> {
  ortModule ??= import('onnxruntime-web').then((ort) => {
    ort.env.wasm.wasmPaths = ORT_WASM_PATHS;
    ort.env.logLevel = 'warning';
    return ort;
  });
  return ortModule;
}

/** One onnxruntime-web session on `bytes`, timed frame by frame with host input and host output. */
export async function ortRunner(bytes: Uint8Array, ep: OrtEp): Promise<FrameRunner> {
  const ort = await loadOrt();
  if (ep === 'webgpu' && !(typeof navigator !== 'undefined' && navigator.gpu)) throw new Error('not available: navigator.gpu is missing');
  const session = await ort.InferenceSession.create(bytes, { executionProviders: [ep], graphOptimizationLevel: 'all' });
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  return {
    weightBytes: bytes.byteLength,
    describe: () => `onnxruntime-web ${ort.env.versions.web ?? ''} ${ep} (threads ${ort.env.wasm.numThreads ?? 'default'})`,
    async run(data: Float32Array, dims: number[]): Promise<FrameOutput> {
      const out = await session.run({ [inputName]: new ort.Tensor('float32', data, dims) });
      const t = out[outputName];
      // getData() downloads a GPU-located tensor; the default output location is the CPU, so this is the readback.
      const values = (await t.getData()) as Float32Array;
      for (const o of Object.values(out)) o.dispose();
      return { name: outputName, dims: [...t.dims], data: values };
    },
    async dispose() {
      await session.release();
    },
  };
}
