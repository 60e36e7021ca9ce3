/**
 * The autotuner's cache in a JSON file (Node): `new Autotuner(fileTuneStore(path))` makes a second session load
 * without retuning. Writes go to a temporary file renamed over the old one, so a crash never leaves half a cache.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { TuneStore } from '../runtime/plan/autotune.ts';

export function fileTuneStore(path: string): TuneStore {
  return {
    async read() {
      try {
        return await readFile(path, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new Error(`autotune: cannot read the cache ${path}: ${(e as Error).message}`);
      }
    },
    async write(json) {
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, json);
      await rename(tmp, path);
    },
  };
}
