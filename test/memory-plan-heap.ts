/**
 * Measures JS memory held by an InferenceSession after create: heapUsed + arrayBuffers after a forced GC, before
 * loading and with the session alive. Run: node --expose-gc --import tsx --import ./scripts/raw-hook.mjs
 * test/memory-plan-heap.ts [resnet18|resnet50|resnet20] [fp32|int8]
 */
import { readFileSync } from 'node:fs';
import { InferenceSession } from '../src/runtime/session.ts';
import { cachedFixture } from './fixtures/cache.ts';
import { buildResNet18, buildResNet50 } from './fixtures/resnet.ts';
import { modelPath } from './helpers/assets.ts';
import { testGpu } from './helpers/gpu.ts';

const [model = 'resnet18', precision = 'fp32'] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const mib = (n: number) => (n / 2 ** 20).toFixed(1);
function used(): number {
  gc!(); gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const bytes = model === 'resnet20' ? new Uint8Array(readFileSync(modelPath('resnet20_cifar10.onnx')))
  : cachedFixture(model, model === 'resnet50' ? buildResNet50 : buildResNet18, { resolution: 64 });
const gpu = await testGpu();
const before = used();
const session = await InferenceSession.create(bytes, { context: gpu, ...(precision === 'int8' ? { precision: 'int8' } : {}) });
const after = used();
const weights = session.plan.weightBytes;
const constBytes = session.plan.consts.reduce((a, c) => a + (c.bytes?.byteLength ?? 0), 0);
console.log(`${model} ${precision}: model file ${mib(bytes.byteLength)} MiB, plan weights ${mib(weights)} MiB, ` +
  `const bytes still in the plan ${mib(constBytes)} MiB; JS heap+arrayBuffers held by the session ${mib(after - before)} MiB`);
await session.dispose();
process.exit(0);
