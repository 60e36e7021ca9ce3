/** Which model file each benchmark cell runs; shared by the page and the Node harness. */
import type { Precision } from '../runtime/api.ts';
import { QUANT_VARIANTS, type QuantVariant } from './models.ts';
import type { RuntimeId } from './types.ts';

/**
 * Which QDQ export a cell runs, if any: the int8 one for the QDQ peers; for quantgpu int8 / int4 / mixed the matching
 * export (W8A8, W4A8, mixed: integer kernels need the calibrated activation scales an export carries). Others run the
 * float model.
 */
export function qdqVariant(runtime: RuntimeId, p: Precision | 'qdq'): QuantVariant | undefined {
  if (runtime.endsWith('-qdq')) return 'int8';
  return runtime === 'quantgpu' && (QUANT_VARIANTS as string[]).includes(p) ? (p as QuantVariant) : undefined;
}
