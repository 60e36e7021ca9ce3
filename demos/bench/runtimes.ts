/**
 * Browser factories for each benchmark runtime. Modules that other work may not have landed yet (the quantgpu
 * entry, the ONNX loader) are found with import.meta.glob, so a missing one is a 'not available' row, not a
 * broken page.
 */
import { quantgpuRunner, type QuantgpuModule } from '../../src/bench/quantgpu.ts';
import type { FrameRunner, RunnerFactory } from '../../src/bench/runner.ts';
import type { Precision } from '../../src/runtime/api.ts';
import type { Graph } from '../../src/runtime/ir.ts';
import type { RuntimeId } from '../../src/bench/types.ts';

const quantgpuEntry = import.meta.glob<QuantgpuModule>('../../src/index.ts');
const onnxLoader = import.meta.glob<{ load(bytes: Uint8Array): Graph }>('../../src/runtime/onnx/load.ts');

const loadQuantgpu = async () => (await quantgpuEntry['../../src/index.ts']?.()) as QuantgpuModule | undefined;

async function tfjsRunner(bytes: Uint8Array): Promise<FrameRunner> {
  const loader = onnxLoader['../../src/runtime/onnx/load.ts'];
  if (!loader) throw new Error('not available: the ONNX loader (src/runtime/onnx/load.ts) is missing');
  // The same front-end clean-up quantgpu does (constants and BatchNormalization folded), so TF.js runs the same ops.
  const { simplify } = await import('../../src/runtime/passes/index.ts');
  const graph = simplify((await loader()).load(bytes));
  const { TfjsModel } = await import('../../src/peers/tfjs.ts');
  const model = await TfjsModel.create(graph);
  const inputName = graph.inputs[0].name;
  const outputName = graph.outputs[0].name;
  const weightBytes = [...graph.initializers.values()].reduce((a, t) => a + t.data.byteLength, 0);
  return {
    weightBytes,
    async run(data, dims) {
      const out = await model.run({ [inputName]: { dims, data } });
      return { name: outputName, ...out[outputName] };
    },
    describe: () => 'TensorFlow.js 4.22 webgpu (Graph IR executor)',
    dispose: () => model.dispose(),
  };
}

/** The factory of one (runtime, precision) cell; quantized peers run the QDQ bytes they are handed. */
export function factoryFor(runtime: RuntimeId, precision: Precision | 'qdq'): RunnerFactory {
  switch (runtime) {
    case 'quantgpu':
      return (bytes) => quantgpuRunner(loadQuantgpu, bytes, precision as Precision);
    case 'ort-webgpu':
    case 'ort-webgpu-qdq':
      return async (bytes) => (await import('../../src/peers/ort.ts')).ortRunner(bytes, 'webgpu');
    case 'ort-wasm':
    case 'ort-wasm-qdq':
      return async (bytes) => (await import('../../src/peers/ort.ts')).ortRunner(bytes, 'wasm');
    case 'tfjs-webgpu':
      return tfjsRunner;
    case 'ort-node-cpu':
      return () => Promise.reject(new Error('not available: onnxruntime-node runs only in the Node harness'));
  }
}
