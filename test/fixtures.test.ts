import { describe, expect, it } from 'vitest';
import { load } from '../src/runtime/onnx/load.ts';
import { inferShapes } from '../src/runtime/shapes/infer.ts';
import { fromNumbers } from '../src/runtime/cpu-ops/tensor.ts';
import { cachedFixture } from './fixtures/cache.ts';
import { ortRunModel } from './fixtures/ort-run.ts';
import { buildResNet18, buildResNet50 } from './fixtures/resnet.ts';
import { buildYoloV8n } from './fixtures/yolov8.ts';
import { testRng } from './helpers/rng.ts';

const count = (ops: string[], op: string): number => ops.filter((o) => o === op).length;
const params = (bytes: Uint8Array): number => [...load(bytes).initializers.values()].reduce((a, t) => a + t.data.length, 0);

async function runShapes(bytes: Uint8Array): Promise<Record<string, number[]>> {
  const g = load(bytes);
  const rng = testRng();
  const shape = g.inputs[0].shape as number[];
  const x = fromNumbers('float32', shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(0, 1)));
  const out = await ortRunModel(bytes, { [g.inputs[0].name]: x });
  for (const v of Object.values(out)) expect(Array.from(v.data as Float32Array).every(Number.isFinite)).toBe(true);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.dims]));
}

describe('fixture models', () => {
  it('ResNet-18: torchvision topology, runs in onnxruntime, our shapes agree', async () => {
    const bytes = cachedFixture('resnet18', buildResNet18, { resolution: 64, width: 0.5 });
    const ops = load(bytes).nodes.map((n) => n.opType);
    expect([count(ops, 'Conv'), count(ops, 'BatchNormalization'), count(ops, 'Add'), count(ops, 'MaxPool'), count(ops, 'Gemm')]).toEqual([20, 20, 8, 1, 1]);
    expect(await runShapes(bytes)).toEqual({ logits: [1, 1000] });
    expect(inferShapes(load(bytes)).outputs[0].shape).toEqual([1, 1000]);
  });

  it('ResNet-18 at full size has torchvision\'s 11.7 M parameters (+ BN statistics)', () => {
    const g = buildResNet18({ resolution: 224 });
    const n = [...g.initializers.values()].reduce((a, t) => a + t.data.length, 0);
    // 11,689,512 learnable parameters + 9,600 running means and variances.
    expect(n).toBe(11_689_512 + 9_600);
  });

  it('ResNet-50: bottlenecks with projection shortcuts', async () => {
    const bytes = cachedFixture('resnet50', buildResNet50, { resolution: 64, width: 0.25, classes: 10 });
    const ops = load(bytes).nodes.map((n) => n.opType);
    expect([count(ops, 'Conv'), count(ops, 'Add')]).toEqual([53, 16]);
    expect(await runShapes(bytes)).toEqual({ logits: [1, 10] });
  });

  it('YOLOv8n at 640: [1, 84, 8400], YOLOv8n\'s parameter count, the export op mix', () => {
    const g = buildYoloV8n();
    expect(inferShapes(g).outputs[0].shape).toEqual([1, 84, 8400]);
    const ops = new Set(g.nodes.map((n) => n.opType));
    for (const op of ['Conv', 'BatchNormalization', 'Sigmoid', 'Mul', 'Split', 'Concat', 'MaxPool', 'Resize', 'Reshape', 'Transpose', 'Softmax', 'Shape', 'Gather']) {
      expect(ops.has(op), op).toBe(true);
    }
    const bnStats = g.nodes.filter((n) => n.opType === 'BatchNormalization').reduce((a, n) => a + 2 * g.initializers.get(n.inputs[1])!.dims[0], 0);
    const learnable = [...g.initializers].filter(([k, t]) => t.dtype === 'float32' && !/^(anchors|strides|two|resize)/.test(k));
    // Ultralytics' model summary for (unfused) YOLOv8n: 3,157,200 parameters, counting the fixed DFL conv's 16.
    expect(learnable.reduce((a, [, t]) => a + t.data.length, 0) - bnStats).toBe(3_157_200);
  });

  it('YOLOv8n at 160 runs in onnxruntime with output [1, 84, 525]', async () => {
    const bytes = cachedFixture('yolov8n', buildYoloV8n, { resolution: 160 });
    expect(await runShapes(bytes)).toEqual({ output0: [1, 84, 525] });
    expect(params(bytes)).toBeGreaterThan(3e6);
  });
});
