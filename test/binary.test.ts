/**
 * Binary kernels under Node's Dawn: the cases of test/browser/cases/binary.case.ts (also run in Chromium), and
 * the shape errors.
 */
import { describe, expect, it } from 'vitest';
import { binaryKernel } from '../src/shaders/binary.ts';
import { cases } from './browser/cases/binary.case.ts';
import { itCases } from './browser/node-cases.ts';

describe('binary f32 and int8 add / mul with broadcasting', () => {
  itCases(cases);
  it('names the op and shapes that do not broadcast', () => {
    expect(() => binaryKernel({ op: 'add' }, [2, 3], [4, 3])).toThrow(/add: shapes \[2,3\] and \[4,3\]/);
  });
});
