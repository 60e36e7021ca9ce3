/**
 * The CLI as a user meets it: the real `bin/quantgpu.mjs` spawned with stdout/stderr piped (not a TTY).
 * Checks --help on every subcommand, --version, exit codes (0 ok, 1 failure, 2 usage), one `quantgpu:` prefix,
 * errors that name the file and what was expected, argument checks made before the model is planned, precision
 * names and their aliases, and a run whose outputs match onnxruntime-node. Models are tiny fixtures built here.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH } from '../src/cli/bench.ts';
import { EVAL } from '../src/cli/eval.ts';
import { QUANTIZE } from '../src/cli/quantize.ts';
import { INSPECT, RUN } from '../src/cli/run.ts';
import { readNpy, writeNpy } from '../src/io/npy.ts';
import { GraphBuilder } from './fixtures/graph-builder.ts';
import { ortRun } from './helpers/ort.ts';
import { relError } from './helpers/random.ts';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin/quantgpu.mjs');
const seed = (Date.now() % 100000) + 1;
console.log(`[cli] seed ${seed}`);

interface Result { code: number; stdout: string; stderr: string }

function cli(...args: string[]): Promise<Result> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 120_000, env: { ...process.env, QUANTGPU_DEBUG: '' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** A usage error: exit 2, one `quantgpu:` prefix, the text checked, and nothing planned (no plan progress). */
function expectUsage(r: Result, ...parts: (string | RegExp)[]): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.match(/quantgpu:/g)?.length, r.stderr).toBe(1);
  for (const p of parts) expect(r.stderr).toMatch(p);
  expect(r.stderr, 'checked before the model was planned').not.toMatch(/^plan:/m);
}

let dir: string;
let model: string;
let names: string[];
let x: Float32Array;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'quantgpu-cli-'));
  const g = new GraphBuilder('cli', { seed });
  let v = g.input('image', [1, 3, 8, 8]);
  v = g.relu(g.conv(v, { cout: 8, k: 3 }));
  v = g.conv(v, { cout: 4, k: 1 });
  g.output(v, 'scores');
  names = g.graph.nodes.filter((n) => n.opType === 'Conv').map((n) => n.name);
  model = join(dir, 'tiny.onnx');
  writeFileSync(model, g.save());
  let s = seed;
  x = Float32Array.from({ length: 3 * 64 }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1);
  writeFileSync(join(dir, 'x.npy'), writeNpy({ shape: [1, 3, 8, 8], data: x }));
  writeFileSync(join(dir, 'small.npy'), writeNpy({ shape: [1, 3, 4, 4], data: new Float32Array(48) }));
  // A real 1x1 PNG (signature, IHDR, IDAT, IEND), as a user would pass a photo.
  writeFileSync(join(dir, 'photo.png'), Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64'));
  writeFileSync(join(dir, 'broken.json'), '{\n  "default": { "weights": "int8" },\n  "layers": { "x": 1, }\n}\n');
  writeFileSync(join(dir, 'typo.json'), JSON.stringify({ default: { weights: 'int8' }, layers: { [`${names[0]}x`]: { weights: 'fp32' } } }));
  writeFileSync(join(dir, 'glob.json'), JSON.stringify({ default: { weights: 'int8' }, layers: { [`${names[0].slice(0, 3)}*`]: { weights: 'int4' } } }));
  writeFileSync(join(dir, 'truncated.onnx'), readFileSync(model).subarray(0, 200));
  writeFileSync(join(dir, 'a-file'), 'not a directory');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('quantgpu CLI conventions', () => {
  it('--version prints package.json\'s version; --help lists the commands and the precision names', async () => {
    const version = await cli('--version');
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    const help = await cli('--help');
    expect(help.code).toBe(0);
    for (const c of ['run', 'inspect', 'quantize', 'eval', 'bench', 'w8a8', 'int8 = w8']) expect(help.stdout).toContain(c);
  });

  it.each([RUN, INSPECT, QUANTIZE, EVAL, BENCH])('$name --help documents every option of its table, exit 0', async (spec) => {
    const r = await cli(spec.name, '--help');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.startsWith(`usage: quantgpu ${spec.name}`)).toBe(true);
    for (const name of Object.keys(spec.options)) expect(r.stdout).toContain(`--${name}`);
    expect(r.stderr).toBe('');
  });

  it('unknown commands and options are usage errors (exit 2) that point at --help', async () => {
    expectUsage(await cli('frobnicate'), /unknown command 'frobnicate'/);
    expectUsage(await cli('run', model, '--bogus'), /Unknown option --bogus/, /quantgpu run --help/);
    expectUsage(await cli('run', model, '--out'), /--out/, /argument missing/);
    expectUsage(await cli('inspect', model, '--precision', 'int9'), /--precision must be one of fp32, fp16, w8, w4, w8a8, mixed; got 'int9'/);
  });

  it('a PNG given as --input names the file, says .npy is expected and how to make one', async () => {
    const png = join(dir, 'photo.png');
    expectUsage(await cli('run', model, '--input', `image=${png}`, '--out', join(dir, 'o')), `--input image=${png}`, /expected a NumPy \.npy file/, /this is a PNG image/, /np\.save/);
  });

  it('input names and shapes are checked against the model, in the CLI\'s words (no internal option names)', async () => {
    const out = join(dir, 'o');
    const small = await cli('run', model, '--input', `image=${join(dir, 'small.npy')}`, '--out', out);
    expectUsage(small, /shape \[1,3,4,4\]/, /input 'image' is \[1,3,8,8\]/);
    expect(small.stderr).not.toContain('inputShapes');
    expectUsage(await cli('run', model, '--input', `img=${join(dir, 'x.npy')}`, '--out', out), /no input 'img'/, /image \[1,3,8,8\]/);
    expectUsage(await cli('run', model, '--out', out), /missing --input for 'image'/);
    expectUsage(await cli('run', model, '--input', `image=${join(dir, 'nope.npy')}`, '--out', out), /nope\.npy: no such file/);
  });

  it('--out that cannot be written and a non-ONNX model fail before the model is planned', async () => {
    const feeds = ['--input', `image=${join(dir, 'x.npy')}`];
    expectUsage(await cli('run', model, ...feeds, '--out', join(dir, 'a-file', 'sub')), /--out .*a-file\/sub: cannot create the directory \(ENOTDIR\)/);
    expectUsage(await cli('run', model, ...feeds, '--out', join(dir, 'a-file')), /exists and is not a directory/);
    expectUsage(await cli('quantize', model, '--calib', dir, '-o', join(dir, 'missing-dir', 'q.onnx')), /the directory .*missing-dir does not exist/);
    expectUsage(await cli('quantize', model, '--calib', dir, '-o', join(dir, 'q.onnx'), '--min-ratio', '5'), /--min-ratio is a size budget of --weights mixed \(got --weights int8\)/);
    expectUsage(await cli('quantize', model, '--calib', dir, '-o', join(dir, 'q.onnx'), '--weights', 'mixed', '--min-ratio', '0.5'), /--min-ratio/);
    expectUsage(await cli('quantize', model, '--calib', dir, '-o', join(dir, 'q.onnx'), '--learn-target', 'float', '--learn-chunk', '4'), /--learn-target float needs --learn-chunk 1/);
    expectUsage(await cli('quantize', model, '--calib', dir, '-o', join(dir, 'q.onnx'), '--ranges-chunk', '4'), /--ranges-chunk is an option of --ranges sequential/);
    expectUsage(await cli('run', join(dir, 'photo.png'), ...feeds, '--out', join(dir, 'o')), /expected an ONNX model/, /PNG image/);
  });

  it('--config: a missing file, a JSON syntax error (file, line, column), an entry matching no layer (nearest names)', async () => {
    const feeds = ['--input', `image=${join(dir, 'x.npy')}`, '--out', join(dir, 'o')];
    expectUsage(await cli('run', model, ...feeds, '--config', join(dir, 'none.json')), /none\.json: no such file/);
    expectUsage(await cli('run', model, ...feeds, '--config', join(dir, 'broken.json')), /broken\.json: not valid JSON at line 3, column 23/);
    const typo = await cli('run', model, ...feeds, '--config', join(dir, 'typo.json'));
    expectUsage(typo, /typo\.json/, new RegExp(`"${names[0]}x" matches no layer \\(nearest: ${names[0]}`));
  });

  it('a model that cannot be loaded is a runtime failure: exit 1, one prefix, a message', async () => {
    const r = await cli('inspect', join(dir, 'truncated.onnx'));
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.match(/quantgpu:/g)?.length).toBe(1);
    expect(r.stderr.replace(/^quantgpu:\s*/, '').trim().length).toBeGreaterThan(10);
  });

  it('w8a8 on a float model is refused with what to do; int8 is an alias of w8 (same plan)', async () => {
    expectUsage(await cli('inspect', model, '--precision', 'w8a8'), /needs a QDQ model/, /quantgpu quantize/);
    const [w8, int8, fp32] = await Promise.all([cli('inspect', model, '--precision', 'w8'), cli('inspect', model, '--precision', 'int8'), cli('inspect', model)]);
    expect(w8.code, w8.stderr).toBe(0);
    expect(int8.stdout).toBe(w8.stdout);
    expect(w8.stdout).not.toBe(fp32.stdout);
    const glob = await cli('inspect', model, '--config', join(dir, 'glob.json'));
    expect(glob.code, glob.stderr).toBe(0);
  }, 120_000);

  it('run writes outputs that match onnxruntime-node (fp32), with line-by-line progress on a pipe', async () => {
    const out = join(dir, 'out');
    mkdirSync(out, { recursive: true });
    const r = await cli('run', model, '--input', `image=${join(dir, 'x.npy')}`, '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).toMatch(/^plan: \d+\/\d+ \(100%\) compile$/m);
    const got = readNpy(new Uint8Array(readFileSync(join(out, 'scores.npy'))));
    const ref = (await ortRun(new Uint8Array(readFileSync(model)), { image: { dims: [1, 3, 8, 8], data: x } })).scores;
    expect(got.shape).toEqual(ref.dims);
    expect(relError(got.data as Float32Array, ref.data)).toBeLessThan(1e-5);
  }, 120_000);
});
