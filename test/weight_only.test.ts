/**
 * Weight-only conv under Node's Dawn: the cases of test/browser/cases/weight_only.case.ts (also run in Chromium),
 * and the packing layout.
 */
import { describe, expect, it } from 'vitest';
import { quantizeWo } from '../src/shaders/conv2d_wo.ts';
import { cases } from './browser/cases/weight_only.case.ts';
import { itCases } from './browser/node-cases.ts';

describe('weight-only conv matches the reference on dequantized weights', () => itCases(cases));

describe('weight-only packing', () => {
  it('int4: nibble j of word i is element 8i+j, two\'s complement; int8: byte j of word i is element 4i+j', () => {
    // Two rows x 8 columns, per-column scale max|w|/7, so every non-zero column quantizes to +-7.
    const row = [1, -1, 7, -7, 0, 3, -4, 2];
    const ident = (w: Float32Array): Float32Array => w;
    const q4 = quantizeWo(Float32Array.from([...row, ...row.map((v) => -v)]), ident, 2, 8, { bits: 4 }, 'test');
    // Elements 7..0 of row 0 are [7, -7, 7, 0, -7, 7, -7, 7] -> nibbles 7 9 7 0 9 7 9 7 (element 0 lowest).
    expect(q4.weights[0]).toBe(0x79709797);
    expect(q4.weights[1]).toBe(0x97907979);
    expect(q4.scales[2]).toBe(1);
    expect(q4.scales[4]).toBe(1); // an all-zero column keeps scale 1
    const q8 = quantizeWo(Float32Array.from([127, -127, 0, 1, 2, 3, 4, 5]), ident, 1, 8, { bits: 8 }, 'test');
    // One row: each column is its own block, so non-zero values quantize to +-127: bytes 7f 81 00 7f.
    expect(q8.weights[0]).toBe(0x7f00817f);
    expect(q8.scales[0]).toBe(1);
    expect(q8.scales[3]).toBe(Math.fround(1 / 127));
  });
});
