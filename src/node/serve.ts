/**
 * Serves the project's pages over http://localhost (WebGPU needs a secure context; about:blank has no
 * navigator.gpu) with the project's vite.config.ts. Node-only.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Served {
  /** Base URL, e.g. `http://localhost:5173/` (always ends with `/`). */
  url: string;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Project root (default: the repository this file lives in). */
  root?: string;
  /** Port to try first; the next free one is used when taken (default: any free port). */
  port?: number;
  /** `dev` (default) transforms on request; `preview` builds once and serves the output. */
  mode?: 'dev' | 'preview';
}

const projectRoot = resolve(fileURLToPath(import.meta.url), '../../..');

/** Starts a Vite dev server (or builds and previews) on a free localhost port. */
export async function serve(opts: ServeOptions = {}): Promise<Served> {
  const root = opts.root ?? projectRoot;
  const configFile = resolve(root, 'vite.config.ts');
  const vite = await import('vite');
  if (opts.mode === 'preview') {
    await vite.build({ root, configFile, logLevel: 'warn' });
    const server = await vite.preview({ root, configFile, preview: { port: opts.port ?? 0, host: 'localhost' } });
    const url = server.resolvedUrls?.local[0];
    if (!url) throw new Error('serve: vite preview reported no local URL');
    return { url: withSlash(url), close: () => server.close() };
  }
  // No HMR and no file watching: a page under test or benchmark must never reload because a source file changed.
  const server = await vite.createServer({
    root, configFile, logLevel: 'warn',
    server: { port: opts.port ?? 0, host: 'localhost', hmr: false, watch: null },
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('serve: vite dev server reported no local URL');
  return { url: withSlash(url), close: () => server.close() };
}

const withSlash = (u: string): string => (u.endsWith('/') ? u : `${u}/`);
