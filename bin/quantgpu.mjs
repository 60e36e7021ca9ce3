#!/usr/bin/env node
// The `quantgpu` command. Runs the built CLI (dist/cli.js) when present; in a development checkout it runs the
// TypeScript sources through tsx, with the hook that imports .wgsl files as text.
import { existsSync } from 'node:fs';
import { register } from 'node:module';

const dist = new URL('../dist/cli.js', import.meta.url);
if (existsSync(dist)) {
  await import(dist.href);
} else {
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
  register('../scripts/raw-loader.mjs', import.meta.url);
  await import('../src/cli/main.ts');
}
