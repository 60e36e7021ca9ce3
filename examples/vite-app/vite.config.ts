// A plain Vite config, as in any app: nothing quantgpu-specific is needed.
import { defineConfig } from 'vite';

export default defineConfig({
  server: { host: 'localhost' },
  build: { target: 'es2022' },
});
