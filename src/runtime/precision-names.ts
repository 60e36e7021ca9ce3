/**
 * Precision names that say what they do, for the CLI and the demos. The session's `precision` option keeps its
 * names (`int8` there means int8 *weights*); these user-facing names make the activation precision explicit:
 *
 *   fp32   float32 weights and activations (the reference)
 *   fp16   float16 weights, float32 activations and math
 *   w8     int8 weights (per output channel), float32 activations: weight-only, no calibration needed
 *   w4     int4 weights, float32 activations: weight-only, no calibration needed
 *   w8a8   int8 weights and int8 activations on integer kernels: needs a QDQ model (`quantgpu quantize` writes one
 *          from calibration images); a float model has no activation scales, so it is refused, never guessed
 *   mixed  per layer: a QDQ model's own choice; on a float model int4 weights in the middle and int8 weights on
 *          the first layer and the output layers, float activations
 *
 * Old names stay accepted: `int8` = w8, `int4` = w4.
 */
import type { Precision } from './api.ts';

export const PRECISION_NAMES = ['fp32', 'fp16', 'w8', 'w4', 'w8a8', 'mixed'] as const;
export type PrecisionName = (typeof PRECISION_NAMES)[number];

/** One line per name: what the weights and activations are. */
export const PRECISION_MEANING: Record<PrecisionName, string> = {
  fp32: 'float32 weights and activations',
  fp16: 'float16 weights, float32 activations',
  w8: 'int8 weights, float32 activations (weight-only, no calibration)',
  w4: 'int4 weights, float32 activations (weight-only, no calibration)',
  w8a8: 'int8 weights and activations (needs a QDQ model from `quantgpu quantize`)',
  mixed: 'per layer: int4 or int8 weights, float32 activations (a QDQ model keeps its own per-layer choice)',
};

/** Old names, still accepted. */
export const PRECISION_ALIASES: Record<string, PrecisionName> = { int8: 'w8', int4: 'w4' };

/** The canonical name for a name or alias; undefined when it is neither. */
export function precisionName(s: string): PrecisionName | undefined {
  return (PRECISION_NAMES as readonly string[]).includes(s) ? (s as PrecisionName) : PRECISION_ALIASES[s];
}

/**
 * The session option for a precision name on a model that is (`isQdq`) or is not a QDQ model. Throws with what to do
 * instead when the combination cannot be honoured (w8a8 on a float model).
 */
export function sessionPrecision(name: PrecisionName, isQdq: boolean): Precision | undefined {
  switch (name) {
    case 'fp32': case 'fp16': case 'mixed': return name;
    case 'w8': return 'int8';
    case 'w4': return 'int4';
    case 'w8a8':
      if (!isQdq) {
        throw new Error('w8a8 (int8 activations) needs a QDQ model with activation scales, and this is a float model: ' +
          'make one with `quantgpu quantize <model.onnx> --calib <images> -o <model.qdq.onnx>`, or use w8 (weight-only int8)');
      }
      // The QDQ layers run on integer kernels whatever the default; layers outside QDQ stay float32.
      return undefined;
  }
}
