/** `quantgpu bench`: runs the benchmark harness (scripts/bench.ts) with the same flags as `npm run bench`. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export async function benchCommand(argv: string[]): Promise<void> {
  // From src/cli/ in a checkout, or dist/ in an install: the package root holds package.json either way.
  const here = fileURLToPath(new URL('.', import.meta.url));
  const root = [`${here}../../`, `${here}../`].find((r) => existsSync(`${r}package.json`)) ?? `${here}../../`;
  const script = `${root}scripts/bench.ts`;
  if (!existsSync(script)) throw new Error(`the benchmark harness is not in this install (${script}); run it from a checkout`);
  const code = await new Promise<number>((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', '--import', './scripts/raw-hook.mjs', script, ...argv], { cwd: root, stdio: 'inherit' });
    p.on('error', reject);
    p.on('exit', (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw new Error(`benchmark exited with code ${code}`);
}
