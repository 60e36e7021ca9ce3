// Node module hook so that `import code from './x.wgsl?raw'` works under Node (CLI, scripts) as it does under Vite.
import { register } from 'node:module';
register('./raw-loader.mjs', import.meta.url);
