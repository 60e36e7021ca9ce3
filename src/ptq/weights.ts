/**
 * Weight quantization for the exporter: symmetric, per output channel, int8 ([-127, 127]) or int4 ([-7, 7]),
 * with min/max or MSE ranges (src/quant/weights.ts). Zero points are 0, so they are not stored here.
 */
import { dequantizeTensor, quantizeTensor, weightQParams, type WeightMethod } from '../quant/index.ts';
import type { Graph, Node } from '../runtime/ir.ts';
import { floatInit, weightSlot } from './graph.ts';

export type WeightBits = 4 | 8;

/** A quantized weight tensor: unpacked codes (one per element) and one scale per output channel. */
export interface QuantizedWeight {
  bits: WeightBits;
  dims: number[];
  /** Output-channel axis (0 for OIHW conv weights and Gemm with transB; 1 for Gemm without). */
  axis: number;
  codes: Int8Array;
  scale: Float32Array;
  /** Dequantized values (codes * scale), what the model computes with. */
  dequantized: Float32Array;
  /**
   * Learned against the float layer (learn.ts, target 'float'): the measured output shift per output channel,
   * mean(X q) - mean(X_f w) over the calibration positions, which bias correction removes instead of the shift it
   * would expect from float input means.
   */
  shift?: Float64Array;
}

export function quantizeWeight(w: Float32Array, dims: number[], axis: number, bits: WeightBits, method: WeightMethod): QuantizedWeight {
  const p = weightQParams(w, dims, { bits, symmetric: true, signed: true, method, granularity: { kind: 'channel', axis } });
  const codes = quantizeTensor(w, p) as Int8Array;
  return { bits, dims: [...dims], axis, codes, scale: p.scale, dequantized: dequantizeTensor(codes, p) };
}

/** Quantizes the weight of one compute node. */
export function quantizeNodeWeight(g: Graph, n: Node, bits: WeightBits, method: WeightMethod): QuantizedWeight {
  const slot = weightSlot(g, n);
  if (!slot) throw new Error(`ptq: ${n.opType} '${n.name}' has no float initializer weight`);
  const name = n.inputs[slot.input];
  return quantizeWeight(floatInit(g, name), g.initializers.get(name)!.dims, slot.axis, bits, method);
}

/**
 * Bytes the weights of a graph take as stored: quantized codes at their width (int4 packed two per byte), one
 * f32 scale per channel, and every other float initializer (biases, float layers) at 4 bytes an element.
 * Counted from the graph the runtime would load (QDQ or float), so FP32 and quantized rows compare directly.
 */
export function weightBytes(g: Graph): number {
  let bytes = 0;
  for (const t of g.initializers.values()) {
    const n = t.dims.reduce((a, b) => a * b, 1);
    if (n <= 1) continue; // scalars: activation scales and zero points
    if (t.dtype === 'int4' || t.dtype === 'uint4') bytes += Math.ceil(n / 2);
    else if (t.dtype === 'int8' || t.dtype === 'uint8') bytes += n;
    else if (t.dtype === 'float32') bytes += 4 * n;
  }
  return bytes;
}
