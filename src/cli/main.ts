/**
 * The quantgpu CLI (Node, WebGPU through Dawn). `quantgpu <command> --help` documents each command.
 * Exit codes: 0 ok, 1 the work failed (model, GPU, data), 2 wrong arguments (nothing was run).
 */
import { readFileSync } from 'node:fs';
import { UsageError, errorLine } from './args.ts';
import { PRECISION_HELP, inspectCommand, runCommand } from './run.ts';

const USAGE = `usage: quantgpu <command> [options]    (quantgpu <command> --help for its options)

commands:
  quantgpu run <model.onnx> --input <name>=<file.npy> ... --out <dir>   run once, write the outputs as .npy
  quantgpu inspect <model.onnx>                                         print the GPU plan: steps, kernels, precisions
  quantgpu quantize <model.onnx> --calib <data> -o <out.onnx>           calibrate, write a QDQ (int8/int4/mixed) model
  quantgpu eval <model.onnx> --dataset <data>                           accuracy (top-1 or COCO mAP) and images/s
  quantgpu bench [--node] [--models ...]                                benchmark against onnxruntime-web and TF.js

options:
  -h, --help       this help
  -v, --version    the version

${PRECISION_HELP}

exit codes: 0 ok, 1 the work failed (model, GPU, data), 2 wrong arguments`;

const commands: Record<string, (argv: string[]) => Promise<void>> = {
  run: runCommand,
  inspect: inspectCommand,
  quantize: async (argv) => (await import('./quantize.ts')).quantizeCommand(argv),
  eval: async (argv) => (await import('./eval.ts')).evalCommand(argv),
  bench: async (argv) => (await import('./bench.ts')).benchCommand(argv),
};

/** package.json's version (two levels up from src/cli/ in a checkout, one from dist/ in an install). */
function version(): string {
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'quantgpu' && pkg.version) return pkg.version;
    } catch {
      // not at this level: try the next
    }
  }
  return 'unknown';
}

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(USAGE);
    return;
  }
  if (cmd === '--version' || cmd === '-v') {
    console.log(version());
    return;
  }
  const run = commands[cmd];
  if (!run) throw new UsageError(`unknown command '${cmd}' (commands: ${Object.keys(commands).join(', ')}; run 'quantgpu --help')`);
  await run(rest);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(errorLine(e));
    if (!(e instanceof UsageError) && process.env.QUANTGPU_DEBUG && e instanceof Error) console.error(e.stack);
    process.exit(e instanceof UsageError ? 2 : 1);
  },
);
