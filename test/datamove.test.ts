/**
 * Data movement and the small float ops under Node's Dawn: the cases of test/browser/cases/datamove.case.ts
 * (also run in Chromium), and the layouts the packed int8 variants refuse.
 */
import { describe, expect, it } from 'vitest';
import { concatKernels } from '../src/shaders/concat.ts';
import { sliceKernel } from '../src/shaders/slice.ts';
import { transposeKernel } from '../src/shaders/transpose.ts';
import { cases } from './browser/cases/datamove.case.ts';
import { itCases } from './browser/node-cases.ts';

describe('transpose, slice, concat, split, pad, resize, softmax, gather, reduce', () => itCases(cases));

describe('packed int8 data movement refuses layouts it cannot move word by word', () => {
  it('transpose keeps the channel axis last', () => {
    expect(() => transposeKernel([1, 2, 3, 5], [0, 3, 1, 2], 'i8x4')).toThrow(/channel axis/);
  });
  it('slice and concat on channels need multiples of 4', () => {
    expect(() => sliceKernel([1, 4, 4, 17], { starts: [2], ends: [9], axes: [3] }, 'i8x4')).toThrow(/multiples of 4/);
    expect(() => concatKernels([[1, 2, 2, 5], [1, 2, 2, 4]], 3, 'i8x4')).toThrow(/multiples of 4/);
  });
});
