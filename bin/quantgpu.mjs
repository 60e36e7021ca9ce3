#!/usr/bin/env node
// The `quantgpu` command. In a checkout (src/ present) it runs the TypeScript sources through tsx, with the hook
// that imports .wgsl files as text, so it never runs a stale build; an installed package runs dist/cli.js.
import { existsSync } from 'node:fs';
import { register } from 'node:module';

const source = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
  register('../scripts/raw-loader.mjs', import.meta.url);
  await import(source.href);
} else {
  await import(new URL('../dist/cli.js', import.meta.url).href);
}
