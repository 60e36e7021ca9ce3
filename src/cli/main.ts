/**
 * quantgpu CLI (Node, WebGPU through Dawn):
 *   quantgpu run <model.onnx> --input <name>=<file.npy> ... --out <dir> [--precision fp32|fp16|int8|int4] [--config layers.json]
 *   quantgpu inspect <model.onnx> [--precision ...] [--config layers.json]
 *   quantgpu quantize <model.onnx> --calib <data> --method minmax|percentile|entropy|mse|auto --weights int8|int4|mixed [--max-drop points | --min-sqnr dB] -o <out.onnx>
 *   quantgpu eval <model.onnx> --dataset <data> [--precision ...]
 *   quantgpu bench [--node] [...]   (see scripts/bench.ts)
 */
import { runCommand, inspectCommand } from './run.ts';

const USAGE = `usage:
  quantgpu run <model.onnx> --input <name>=<file.npy> ... --out <dir> [--precision fp32|fp16|int8|int4] [--config layers.json]
  quantgpu inspect <model.onnx> [--precision fp32|fp16|int8|int4] [--config layers.json]
  quantgpu quantize <model.onnx> --calib <data> [--method minmax|percentile|entropy|mse|auto] [--weights int8|int4|mixed]
                    [--max-drop <points below FP32, default 1> [--holdout N] | --min-sqnr <dB vs FP32>]
                    [--rounding gptq|nearest] [--learn-source sim|gpu] [--float-below <dB>] [--cle off|relu|silu] [--source gpu|ort] -o <out.onnx>
  quantgpu eval <model.onnx> --dataset <data> [--runtime gpu|ort|ort-fakequant] [--start N] [--limit N]
  quantgpu bench [--node] [--models ...] [--frames N] [--full]`;

const commands: Record<string, (argv: string[]) => Promise<void>> = {
  run: runCommand,
  inspect: inspectCommand,
  quantize: async (argv) => (await import('./quantize.ts')).quantizeCommand(argv),
  eval: async (argv) => (await import('./eval.ts')).evalCommand(argv),
  bench: async (argv) => (await import('./bench.ts')).benchCommand(argv),
};

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(USAGE);
    return;
  }
  const run = commands[cmd];
  if (!run) throw new Error(`unknown command '${cmd}'\n${USAGE}`);
  await run(rest);
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(`quantgpu: ${e.message}`);
    process.exit(1);
  },
);
