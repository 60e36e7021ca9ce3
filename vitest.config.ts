import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // SwiftShader runs on the CPU: one GPU test file at a time keeps timings and memory sane on 2 cores.
    fileParallelism: false,
    pool: 'forks',
  },
});
