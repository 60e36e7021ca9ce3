/**
 * `npm run demo`: starts the Vite dev server for the demo pages and prints their URLs. Ctrl-C stops it.
 *   --port N (default 5173; the next free port is used when taken)
 */
import { parseArgs } from 'node:util';
import { serve } from '../src/node/serve.ts';

const { values } = parseArgs({ options: { port: { type: 'string', default: '5173' } } });
const served = await serve({ port: Number(values.port) });
console.log(`quantgpu demos at ${served.url}
  camera detection: ${served.url}demos/camera/
  benchmark:        ${served.url}demos/bench/
(WebGPU needs Chrome/Edge 113+ or another WebGPU browser; Ctrl-C stops the server)`);
const stop = () => void served.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
