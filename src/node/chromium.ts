/**
 * Headless Chromium for tests and the benchmark, driven with puppeteer-core. Two flag sets: SwiftShader
 * (software Vulkan, works on any Linux box, slow) and a real GPU. Node-only.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';

export type GpuMode = 'swiftshader' | 'gpu';

export interface LaunchOptions {
  /** Default: `QUANTGPU_CHROME_GPU=1` -> 'gpu', else 'swiftshader'. */
  gpu?: GpuMode;
  /** Chromium binary (default: CHROME_PATH, then /usr/bin/chromium, google-chrome). */
  executablePath?: string;
  /** Default true. */
  headless?: boolean;
  /** Prefix of forwarded console lines (default `[page]`); `false` turns forwarding off. */
  logPrefix?: string | false;
  extraArgs?: string[];
  /**
   * DevTools protocol timeout in ms (default 900 000): a page.evaluate running longer fails with a ProtocolError.
   * The benchmark sets it above its own per-cell limit so that its limit, not puppeteer's, decides.
   */
  protocolTimeout?: number;
}

const COMMON = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // Timing a backgrounded headless tab would otherwise be throttled.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
];
const SWIFTSHADER = ['--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader', '--disable-vulkan-surface'];
/** Real GPU: Vulkan backend on Linux, and let timestamp queries through unquantized for per-layer profiles. */
const REAL_GPU = ['--enable-features=Vulkan', '--use-angle=vulkan', '--enable-dawn-features=allow_unsafe_apis', '--ignore-gpu-blocklist'];

function findChromium(explicit?: string): string {
  const candidates = [explicit, process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  const found = candidates.find((p): p is string => !!p && existsSync(p));
  if (!found) throw new Error('launchChromium: no Chromium found (set CHROME_PATH or run `npm run setup`)');
  return found;
}

/** The flags for a GPU mode (exported so the report can record them). */
export function chromiumArgs(gpu: GpuMode): string[] {
  return [...COMMON, ...(gpu === 'gpu' ? REAL_GPU : SWIFTSHADER)];
}

/**
 * Launches Chromium with WebGPU enabled and a fresh profile (removed on close). Every page opened later has
 * its console and errors forwarded to the Node console.
 */
export async function launchChromium(opts: LaunchOptions = {}): Promise<Browser> {
  const { default: puppeteer } = await import('puppeteer-core');
  const gpu = opts.gpu ?? (process.env.QUANTGPU_CHROME_GPU === '1' ? 'gpu' : 'swiftshader');
  const userDataDir = mkdtempSync(join(tmpdir(), 'quantgpu-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: findChromium(opts.executablePath),
    headless: opts.headless ?? true,
    userDataDir,
    args: [...chromiumArgs(gpu), ...(opts.extraArgs ?? [])],
    protocolTimeout: opts.protocolTimeout ?? 900_000,
  });
  const prefix = opts.logPrefix ?? '[page]';
  if (prefix !== false) {
    browser.on('targetcreated', async (target) => {
      const page = await target.page();
      if (page) forwardConsole(page, prefix);
    });
  }
  // Chromium still writes its caches for a moment after disconnecting: remove the profile once the process exits.
  const cleanup = () => {
    try {
      rmSync(userDataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    } catch (e) {
      console.warn(`launchChromium: could not remove ${userDataDir}: ${(e as Error).message}`);
    }
  };
  const proc = browser.process();
  if (proc) proc.once('exit', cleanup);
  else browser.once('disconnected', cleanup);
  return browser;
}

/** Forwards a page's console messages and uncaught errors to the Node console. */
export function forwardConsole(page: Page, prefix = '[page]'): void {
  page.on('console', (msg) => {
    const type = msg.type();
    const line = `${prefix} ${msg.text()}`;
    if (type === 'error') console.error(line);
    else if (type === 'warn') console.warn(line);
    else console.log(line);
  });
  page.on('pageerror', (err) => console.error(`${prefix} uncaught: ${err instanceof Error ? err.stack ?? err.message : String(err)}`));
  page.on('requestfailed', (req) => console.error(`${prefix} request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`));
}
