/**
 * Progress on stderr. On a terminal: one line redrawn in place. Piped or logged (stderr not a TTY): plain lines, one
 * per 10% step and at least one every few seconds while work goes on, so a log never sits silent for minutes.
 */

/** Seconds between lines when stderr is not a terminal and the percentage moves slowly. */
const HEARTBEAT_MS = 5000;

/** A status line on stderr (never on stdout, which carries results). */
export function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** A progress reporter for one stage: call it with (done, total, note) as work completes. */
export function progressBar(label: string, opts: { tty?: boolean; now?: () => number; write?: (s: string) => void } = {}): (done: number, total: number, note?: string) => void {
  const tty = opts.tty ?? process.stderr.isTTY === true;
  const now = opts.now ?? (() => performance.now());
  const write = opts.write ?? ((s: string) => void process.stderr.write(s));
  let lastPct = -1;
  let lastStep = -1;
  let lastAt = -Infinity;
  return (done, total, note = '') => {
    const pct = total ? Math.min(100, Math.floor((100 * done) / total)) : 100;
    const finished = done >= total;
    if (tty) {
      if (pct === lastPct && !finished) return;
      lastPct = pct;
      const width = 30;
      const fill = Math.round((width * pct) / 100);
      write(`\r${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${String(pct).padStart(3)}% ${done}/${total} ${note}${finished ? '\n' : ''}`);
      return;
    }
    // Not a terminal: a line when a new 10% step is reached (not only when a multiple of 10 is hit exactly), when
    // the stage starts or ends, or when HEARTBEAT_MS passed since the last line.
    const step = Math.floor(pct / 10);
    const t = now();
    if (step === lastStep && !finished && t - lastAt < HEARTBEAT_MS) return;
    lastStep = step;
    lastAt = t;
    write(`${label}: ${done}/${total} (${pct}%)${note ? ` ${note}` : ''}\n`);
  };
}

/**
 * When stderr is not a terminal, a line every `everyMs` saying what is still running: stages without progress
 * callbacks (bias correction, export, a long first GPU plan) otherwise leave a log silent. Returns a stop function.
 */
export function heartbeat(describe: () => string, everyMs = 30_000, opts: { tty?: boolean; write?: (line: string) => void } = {}): () => void {
  if (opts.tty ?? process.stderr.isTTY === true) return () => {};
  const write = opts.write ?? say;
  const t0 = performance.now();
  const timer = setInterval(() => write(`${describe()} (${Math.round((performance.now() - t0) / 1000)} s)`), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
