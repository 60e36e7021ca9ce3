/** A one-line progress bar on stderr (plain lines when stderr is not a terminal). */
export function progressBar(label: string): (done: number, total: number, note?: string) => void {
  let lastPct = -1;
  const tty = process.stderr.isTTY;
  return (done, total, note = '') => {
    const pct = total ? Math.floor((100 * done) / total) : 100;
    if (pct === lastPct && done !== total) return;
    if (!tty && pct % 10 !== 0 && done !== total) return;
    lastPct = pct;
    const width = 30;
    const fill = Math.round((width * pct) / 100);
    const line = `${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${String(pct).padStart(3)}% ${done}/${total} ${note}`;
    if (tty) process.stderr.write(`\r${line}${done === total ? '\n' : ''}`);
    else process.stderr.write(`${line}\n`);
  };
}
