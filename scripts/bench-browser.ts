/**
 * The Node side of the browser benchmark: drives demos/bench one cell (model, runtime, precision) per call, so
 * that a slow machine cannot lose the run. Each cell has a wall-clock limit: when it runs out, or the DevTools
 * protocol fails (a wedged page: `ProtocolError: Runtime.callFunctionOn timed out`), the cell is recorded as
 * `timeout` / `error`, the page is thrown away and a fresh one (or a fresh browser) takes the next cell.
 * `onRow` sees every row as soon as it exists (the harness writes the JSON there).
 */
import type { Browser, Page } from 'puppeteer-core';
import type { MatrixConfig } from '../demos/bench/matrix.ts';
import type { BenchReport, BenchRow } from '../src/bench/types.ts';

export interface CellPlan {
  /** One model, one runtime, one precision. */
  cfg: MatrixConfig;
  /** The row to record when the cell does not come back (model, runtime, precision filled in). */
  blank: Omit<BenchRow, 'status'>;
}

export interface DriverOptions {
  /** Page URL of demos/bench/index.html. */
  url: string;
  /** Wall-clock limit of one cell (load + warm-up + timed frames), ms. */
  cellTimeoutMs: number;
  launch: () => Promise<Browser>;
  /** PNG path for a screenshot of the last page (its table shows every row). */
  screenshot?: string;
  log: (m: string) => void;
}

/** Result of a cell run: the rows, the page's user agent and adapter (for the report header). */
export interface DriverResult {
  rows: BenchRow[];
  userAgent: string;
  adapter: string;
}

/** Rejects with `Error(what)` after `ms`; the timer never keeps Node alive. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CellTimeout(what)), ms);
    timer.unref?.();
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

class CellTimeout extends Error {}

/** Rows sent back into a fresh page for its table: without the bulky output values. */
const light = (rows: BenchRow[]) => rows.map(({ output: _o, profile: _p, ...r }) => r as BenchRow);

/** Runs every planned cell in order; never throws for a cell's failure. */
export async function runCells(cells: CellPlan[], opts: DriverOptions, onRow: (row: BenchRow, rows: BenchRow[]) => void): Promise<DriverResult> {
  const rows: BenchRow[] = [];
  let browser: Browser | undefined;
  let page: Page | undefined;
  let userAgent = '', adapter = '';

  /** A page with the bench app ready; relaunches the browser when it no longer answers. */
  const freshPage = async (): Promise<Page> => {
    for (let attempt = 0; ; attempt++) {
      try {
        browser ??= await opts.launch();
        const p = await within(browser.newPage(), 60_000, 'opening a page');
        await p.setViewport({ width: 1200, height: 1400 });
        await within(p.goto(opts.url, { waitUntil: 'load' }), 120_000, 'loading the bench page');
        await p.waitForFunction(() => window.quantgpuBench?.ready === true, { timeout: 120_000 });
        return p;
      } catch (e) {
        if (attempt >= 1) throw new Error(`bench: cannot open ${opts.url} after relaunching the browser: ${(e as Error).message}`);
        opts.log(`page did not open (${(e as Error).message}); relaunching the browser`);
        await closeBrowser();
      }
    }
  };
  const closeBrowser = async () => {
    const b = browser;
    browser = undefined;
    page = undefined;
    if (!b) return;
    await within(b.close(), 20_000, 'closing the browser').catch(() => b.process()?.kill('SIGKILL'));
  };

  try {
    for (const cell of cells) {
      page ??= await freshPage();
      const c = cell.cfg;
      const what = `${c.models[0]} ${c.runtimes[0]}/${c.runtimes[0] === 'quantgpu' ? c.precisions[0] : cell.blank.precision}`;
      const t0 = Date.now();
      let row: BenchRow;
      try {
        const cfg = { ...c, append: true, previous: light(rows) };
        const report: BenchReport = await within(page.evaluate((x) => window.quantgpuBench.run(x), cfg), opts.cellTimeoutMs, `${what}: over the ${opts.cellTimeoutMs / 1000} s cell limit`);
        [userAgent, adapter] = [report.userAgent, report.adapter];
        row = report.rows[0] ?? { ...cell.blank, status: 'error', message: 'the page returned no row' };
      } catch (e) {
        const timedOut = e instanceof CellTimeout;
        const msg = (e as Error).message;
        row = { ...cell.blank, status: timedOut ? 'timeout' : 'error', message: timedOut ? msg : `page failed: ${msg}` };
        opts.log(`${what}: ${row.status} after ${((Date.now() - t0) / 1000).toFixed(0)} s (${msg.slice(0, 120)}); starting a fresh page`);
        // The page may still be computing (or wedged in the GPU process): drop it, and the browser if it does not close.
        const old = page;
        page = undefined;
        await within(old.close(), 20_000, 'closing the page').catch(closeBrowser);
      }
      rows.push(row);
      onRow(row, rows);
    }
    if (page && opts.screenshot) await page.screenshot({ path: opts.screenshot, fullPage: true }).catch(() => {});
  } finally {
    await closeBrowser();
  }
  return { rows, userAgent, adapter };
}
