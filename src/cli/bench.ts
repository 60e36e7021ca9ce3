/**
 * `quantgpu bench`: runs the benchmark harness (scripts/bench.ts, in a checkout) with the same flags as `npm run bench`.
 * The options are checked here first, so that a typo or `--help` answers at once instead of after a browser start.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type CommandSpec, helpText, parseCommand } from './args.ts';

export const BENCH: CommandSpec = {
  name: 'bench',
  synopsis: 'quantgpu bench [--models a,b] [--runtimes a,b] [--precisions a,b] [--frames N] [--node] ...',
  summary: 'Benchmarks quantgpu against onnxruntime-web and TF.js in headless Chromium (or, with --node, against\n' +
    'onnxruntime-node on the CPU); prints a markdown table and writes bench-results/<date>.json and .html.\n' +
    'Needs a checkout of the repository (the harness is not part of the installed package).',
  options: {
    models: { value: 'list', help: 'comma-separated model ids (default: the default matrix)' },
    runtimes: { value: 'list', help: 'comma-separated runtimes: quantgpu, ort-webgpu, ort-wasm, tfjs-webgpu, ...' },
    precisions: { value: 'list', help: 'comma-separated: fp32, fp16, int8, int4, mixed (default fp32,int8)' },
    frames: { value: 'N', help: 'timed frames per cell (default 10)' },
    warmup: { value: 'N', help: 'untimed frames first (default 2)' },
    size: { value: 'N', help: 'input side of the generated fixture models' },
    full: { help: 'full input sizes' },
    node: { help: 'Node only: quantgpu on Dawn and onnxruntime-node (CPU)' },
    gpu: { help: 'Chromium with real-GPU flags' },
    headful: { help: 'show the browser window' },
    seed: { value: 'N', help: 'input data seed (default 1234)' },
  },
  notes: 'exit codes: 0 ok, 1 the harness failed or is missing, 2 wrong arguments',
};

export async function benchCommand(argv: string[]): Promise<void> {
  const a = parseCommand(BENCH, argv);
  if (a.help) return void process.stdout.write(helpText(BENCH));
  // From src/cli/ in a checkout, or dist/ in an install: the package root holds package.json either way.
  const here = fileURLToPath(new URL('.', import.meta.url));
  const root = [`${here}../../`, `${here}../`].find((r) => existsSync(`${r}package.json`)) ?? `${here}../../`;
  const script = `${root}scripts/bench.ts`;
  if (!existsSync(script)) throw new Error(`the benchmark harness is not in this install (${script}); run 'npm run bench' in a checkout of the repository`);
  const code = await new Promise<number>((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', '--import', './scripts/raw-hook.mjs', script, ...argv], { cwd: root, stdio: 'inherit' });
    p.on('error', reject);
    p.on('exit', (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw new Error(`benchmark exited with code ${code}`);
}
