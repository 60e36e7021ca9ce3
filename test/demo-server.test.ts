/**
 * `npm run demo`: the script starts the Vite server, prints the index and both page URLs, and `/` links to the
 * two demos (which the server serves). Spawned as a user would (through the npm script's command), on a free port.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
let child: ChildProcess | undefined;

afterAll(() => {
  if (child?.pid) child.kill('SIGTERM');
});

describe('npm run demo', () => {
  it('prints the page URLs; / links to /demos/camera/ and /demos/bench/, both served', async () => {
    const script = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')).scripts.demo as string;
    const [cmd, ...args] = script.split(' ');
    expect(cmd).toBe('node');
    child = spawn(process.execPath, [...args, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const printed = await new Promise<string>((done, fail) => {
      child!.stdout!.on('data', (d) => {
        out += String(d);
        if (/benchmark: +http/.test(out)) done(out);
      });
      child!.stderr!.on('data', (d) => (out += String(d)));
      child!.on('exit', (code) => fail(new Error(`demo exited with ${code}: ${out}`)));
    });
    const base = /quantgpu demos at (http:\/\/localhost:\d+\/)/.exec(printed)?.[1];
    expect(base, printed).toBeDefined();
    expect(printed).toContain(`camera detection: ${base}demos/camera/`);
    expect(printed).toContain(`benchmark:        ${base}demos/bench/`);
    const index = await (await fetch(base!)).text();
    expect(index).toContain('href="/demos/camera/"');
    expect(index).toContain('href="/demos/bench/"');
    for (const page of ['demos/camera/', 'demos/bench/']) {
      const r = await fetch(`${base}${page}`);
      expect(r.status).toBe(200);
      expect(await r.text()).toContain('<script type="module" src="./main.ts">');
    }
  }, 120_000);
});
