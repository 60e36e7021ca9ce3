/**
 * The autotuner's cache in IndexedDB (browsers): `new Autotuner(indexedDbTuneStore())` makes a second page load
 * skip tuning. One object store, one record (the cache's JSON) per database name.
 */
import type { TuneStore } from '../runtime/plan/autotune.ts';

const STORE = 'autotune';
const KEY = 'cache';

function open(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new Error(`autotune: cannot open IndexedDB '${name}': ${req.error?.message}`));
  });
}

function request<T>(db: IDBDatabase, mode: IDBTransactionMode, run: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = run(db.transaction(STORE, mode).objectStore(STORE));
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new Error(`autotune: IndexedDB ${mode} failed: ${req.error?.message}`));
  });
}

export function indexedDbTuneStore(name = 'quantgpu-autotune'): TuneStore {
  return {
    async read() {
      const db = await open(name);
      try {
        const v = await request(db, 'readonly', (s) => s.get(KEY));
        return typeof v === 'string' ? v : undefined;
      } finally {
        db.close();
      }
    },
    async write(json) {
      const db = await open(name);
      try {
        await request(db, 'readwrite', (s) => s.put(json, KEY));
      } finally {
        db.close();
      }
    },
  };
}
