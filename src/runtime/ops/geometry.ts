/** Conv/pool window geometry from ONNX attributes (pads, strides, dilations, auto_pad, ceil_mode). */
import { type ConvShape, convShape } from '../../shaders/conv-shape.ts';
import { type Node, attrInt, attrInts, attrString } from '../ir.ts';

/** A conv/pool window: the geometry of ConvShape without the tensor sizes. */
export type Window = Omit<ConvShape, 'n' | 'h' | 'w' | 'cin' | 'cout' | 'groups'>;

/**
 * Resolves the window of a Conv/MaxPool/AveragePool on an input of spatial size h x w. auto_pad SAME_UPPER /
 * SAME_LOWER compute pads so that out = ceil(in / stride) (extra padding at the end for UPPER).
 */
export function windowOf(node: Node, h: number, w: number, kernel: number[]): Window {
  const [kh, kw] = kernel;
  const [strideH, strideW] = attrInts(node, 'strides', [1, 1]);
  const [dilationH, dilationW] = attrInts(node, 'dilations', [1, 1]);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  let [padTop, padLeft, padBottom, padRight] = attrInts(node, 'pads', [0, 0, 0, 0]);
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const pad = (size: number, k: number, s: number, d: number) => {
      const out = Math.ceil(size / s);
      return Math.max(0, (out - 1) * s + (k - 1) * d + 1 - size);
    };
    const ph = pad(h, kh, strideH, dilationH);
    const pw = pad(w, kw, strideW, dilationW);
    const upper = autoPad === 'SAME_UPPER';
    padTop = upper ? Math.floor(ph / 2) : Math.ceil(ph / 2);
    padBottom = ph - padTop;
    padLeft = upper ? Math.floor(pw / 2) : Math.ceil(pw / 2);
    padRight = pw - padLeft;
  } else if (autoPad === 'VALID') {
    padTop = padLeft = padBottom = padRight = 0;
  }
  return { kh, kw, strideH, strideW, dilationH, dilationW, padTop, padLeft, padBottom, padRight };
}

/** The ConvShape of a Conv node with input dims [n,c,h,w] and OIHW weight dims. */
export function convNodeShape(node: Node, x: number[], wDims: number[]): ConvShape {
  if (x.length !== 4) throw new Error(`only 2-D convolutions are supported; input has shape [${x}]`);
  if (wDims.length !== 4) throw new Error(`weights have shape [${wDims}], expected [cout, cin/groups, kh, kw]`);
  const [n, cin, h, w] = x;
  const groups = attrInt(node, 'group', 1);
  const kernel = attrInts(node, 'kernel_shape', [wDims[2], wDims[3]]);
  if (wDims[1] * groups !== cin) throw new Error(`weights [${wDims}] with group=${groups} do not match ${cin} input channels`);
  return convShape({ n, h, w, cin, cout: wDims[0], groups, ...windowOf(node, h, w, kernel) });
}
