/** Pooling kernels under Node's Dawn: the cases of test/browser/cases/pool.case.ts (also run in Chromium), and the ONNX output size. */
import { describe, expect, it } from 'vitest';
import { poolOutSize } from '../src/shaders/pool.ts';
import { cases } from './browser/cases/pool.case.ts';
import { itCases } from './browser/node-cases.ts';

describe('pool f32 and packed int8 NHWC', () => {
  itCases(cases);
  it('ceil_mode with stride 2 on odd sizes gives the ONNX output size', () => {
    expect(poolOutSize({ n: 1, h: 7, w: 6, c: 1 }, { kind: 'max', kh: 2, kw: 2, strideH: 2, strideW: 2, ceilMode: true })).toEqual({ outH: 4, outW: 3 });
    expect(poolOutSize({ n: 1, h: 7, w: 7, c: 1 }, { kind: 'max', kh: 3, kw: 3, strideH: 2, strideW: 2 })).toEqual({ outH: 3, outW: 3 });
  });
});
