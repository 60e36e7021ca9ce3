/**
 * Timing of `quantgpu quantize` on a synthetic CIFAR ResNet-56 (test/fixtures/resnet_cifar.ts; there is no ResNet-56
 * asset), through the CLI entry itself, on the CIFAR calibration images 0-199:
 *
 *   node --import tsx --import ./scripts/raw-hook.mjs scripts/ptq-speed.ts [--depth 56] [-- <extra quantize flags>]
 *
 * Default flags: `--method auto`. Pass e.g. `-- --weights mixed --min-sqnr 20` to time the mixed search too.
 * Prints the wall time; the progress bars show each stage.
 */
import { writeFileSync } from 'node:fs';
import { quantizeCommand } from '../src/cli/quantize.ts';
import { assetPath } from '../src/eval/assets.ts';
import { save } from '../src/runtime/onnx/save.ts';
import { buildCifarResNet } from '../test/fixtures/resnet_cifar.ts';

const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
const own = sep >= 0 ? argv.slice(0, sep) : argv;
const extra = sep >= 0 ? argv.slice(sep + 1) : [];
const depth = Number(own[own.indexOf('--depth') + 1] ?? 56) || 56;
const model = `/tmp/resnet${depth}_cifar_synthetic.onnx`;
writeFileSync(model, save(buildCifarResNet(depth)));
const args = [model, '--calib', assetPath('data/cifar10_test_1000.bin'), '--pixels', 'imagenet', '--method', 'auto', ...extra, '-o', `/tmp/resnet${depth}_cifar_synthetic.q.onnx`];
console.error(`quantgpu quantize ${args.join(' ')}`);
const t0 = performance.now();
await quantizeCommand(args);
console.log(`resnet${depth} (synthetic): quantize ${extra.join(' ')} --method auto took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
