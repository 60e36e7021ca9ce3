/** Pure parts of the CLI: progress lines off a terminal, precision names, config entries matching no layer. */
import { describe, expect, it } from 'vitest';
import { errorLine } from '../src/cli/args.ts';
import { heartbeat, progressBar } from '../src/cli/progress.ts';
import { checkConfigLayers, editDistance, unmatchedLayers } from '../src/runtime/precision-check.ts';
import { PRECISION_NAMES, precisionName, sessionPrecision } from '../src/runtime/precision-names.ts';

describe('progress when stderr is not a terminal', () => {
  it('prints a line per 10% step even when no exact multiple of 10 is hit, and a heartbeat every 5 s', () => {
    const lines: string[] = [];
    let t = 0;
    const bar = progressBar('calibrate', { tty: false, now: () => t, write: (s) => lines.push(s) });
    // 7 steps: 14%, 28%, 42%, 57%, 71%, 85%, 100%: none a multiple of 10 but the last.
    for (let i = 1; i <= 7; i++) bar(i, 7);
    expect(lines).toEqual(['calibrate: 1/7 (14%)\n', 'calibrate: 2/7 (28%)\n', 'calibrate: 3/7 (42%)\n', 'calibrate: 4/7 (57%)\n',
      'calibrate: 5/7 (71%)\n', 'calibrate: 6/7 (85%)\n', 'calibrate: 7/7 (100%)\n']);
    lines.length = 0;
    const slow = progressBar('search', { tty: false, now: () => t, write: (s) => lines.push(s) });
    slow(1, 1000); // 0%: first line
    t = 1000;
    slow(2, 1000); // same step, 1 s later: quiet
    t = 6000;
    slow(3, 1000, 'layer3'); // same step, 6 s after the last line: heartbeat
    expect(lines).toEqual(['search: 1/1000 (0%)\n', 'search: 3/1000 (0%) layer3\n']);
    expect(lines.join('')).not.toContain('\r');
  });
});

describe('heartbeat', () => {
  it('off a terminal, says what is still running at each interval until stopped; silent on a terminal', async () => {
    const lines: string[] = [];
    const stop = heartbeat(() => 'quantize: still working, last step: calibrate 3/32', 20, { tty: false, write: (l) => lines.push(l) });
    const quiet = heartbeat(() => 'never', 20, { tty: true, write: (l) => lines.push(l) });
    await new Promise((r) => setTimeout(r, 110));
    stop();
    quiet();
    const n = lines.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(n).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBe(n);
    expect(lines.every((l) => /^quantize: still working, last step: calibrate 3\/32 \(\d+ s\)$/.test(l))).toBe(true);
  });
});

describe('error lines', () => {
  it('carry one quantgpu: prefix even when the library message has its own', () => {
    expect(errorLine(new Error('quantgpu: session was disposed'))).toBe('quantgpu: session was disposed');
    expect(errorLine(new Error('quantgpu: quantgpu: x'))).toBe('quantgpu: x');
    expect(errorLine(new Error('npy: bad header'))).toBe('quantgpu: npy: bad header');
    expect(errorLine(Object.assign(new Error(''), { name: 'OperationError' }))).toBe('quantgpu: OperationError');
  });
});

describe('precision names', () => {
  it('maps each name to the session option; old names are aliases; w8a8 needs a QDQ model', () => {
    expect(PRECISION_NAMES.map((p) => (p === 'w8a8' ? 'qdq' : sessionPrecision(p, false)))).toEqual(['fp32', 'fp16', 'int8', 'int4', 'qdq', 'mixed']);
    expect([precisionName('int8'), precisionName('int4'), precisionName('w8'), precisionName('int16')]).toEqual(['w8', 'w4', 'w8', undefined]);
    expect(() => sessionPrecision('w8a8', false)).toThrow(/needs a QDQ model/);
    expect(sessionPrecision('w8a8', true)).toBeUndefined();
  });
});

describe('config entries that match no layer', () => {
  const nodes = [
    { name: 'stem.conv', opType: 'Conv' }, { name: 'stem.relu', opType: 'Relu' },
    { name: 'layer1.0.conv1', opType: 'Conv' }, { name: 'layer1.0.conv2', opType: 'Conv' }, { name: 'fc', opType: 'Gemm' },
  ];
  it('accepts exact names and globs that match; lists the nearest layers for the rest', () => {
    const config = { default: { weights: 'int8' as const, activations: 'fp32' as const }, layers: {
      'stem.conv': { weights: 'fp32' as const }, 'layer1.*': { weights: 'int4' as const }, 'stem.cnov': {}, 'head.*': {},
    } };
    const bad = unmatchedLayers(config, nodes);
    expect(bad.map((b) => b.entry)).toEqual(['stem.cnov', 'head.*']);
    expect(bad[0].nearest[0]).toBe('stem.conv');
    expect(() => checkConfigLayers(config, { nodes })).toThrow(/2 entries match no layer:\n {2}"stem\.cnov" matches no layer \(nearest: stem\.conv/);
    expect(() => checkConfigLayers({ default: config.default, layers: { fc: {} } }, { nodes })).not.toThrow();
  });
  it('edit distance counts insertions, deletions and substitutions', () => {
    expect([editDistance('conv', 'cnov'), editDistance('', 'abc'), editDistance('kitten', 'sitting'), editDistance('a', 'a')]).toEqual([2, 3, 3, 0]);
  });
});
