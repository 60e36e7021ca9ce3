import type { Runner } from '../src/ptq/evaluate.ts';
import type { Tensors } from '../src/ptq/source.ts';
import { Rng } from '../test/helpers/random.ts';

/**
 * The PTQ scripts' models (ptq-table.ts, ptq-eval.ts, qdq-trace-file.ts): float file, dataset, and how many of the
 * dataset's first images calibrate (the rest evaluate: CIFAR-10 200-999, coco128 32-127).
 */
export const PTQ_MODELS: Record<string, { file: string; data: string; calib: number }> = {
  resnet20: { file: 'models/resnet20_cifar10.onnx', data: 'data/cifar10_test_1000.bin', calib: 200 },
  resnet8: { file: 'models/resnet8_cifar10_mlperf_tiny.onnx', data: 'data/cifar10_test_1000.bin', calib: 200 },
  yolox: { file: 'models/yolox_nano_coco_416.onnx', data: 'data/coco128-val2017', calib: 32 },
  fastestdet: { file: 'models/fastestdet_coco_352.onnx', data: 'data/coco128-val2017', calib: 32 },
};

/** The model of `--model key`, or an error listing the keys. */
export function ptqModel(key: string | undefined, script: string): (typeof PTQ_MODELS)[string] {
  const m = key === undefined ? undefined : PTQ_MODELS[key];
  if (!m) throw new Error(`${script}: --model must be one of ${Object.keys(PTQ_MODELS).join(', ')}; got '${key ?? ''}'`);
  return m;
}

/**
 * The runner with every input element moved by uniform noise in [-eps, eps] (test/helpers/random.ts Rng): a
 * perturbation far below the input's quantization step that flips a few near-ties (ptq-eval.ts `--jitter`).
 */
export function jittered(runner: Runner, eps: number, seed: number): Runner {
  const rng = new Rng(seed);
  return {
    ...runner,
    label: `${runner.label}, jitter ${eps} seed ${seed}`,
    run: (feeds: Tensors) => runner.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) =>
      [k, { dims: v.dims, data: Float32Array.from(v.data, (x) => x + eps * (2 * rng.next() - 1)) }]))),
  };
}
