/**
 * A plan in words: one line per step (op, kernel, precision, shapes, weight bytes, how the kernel was picked) and
 * the memory totals. Reads only the plan, so a session and `quantgpu inspect --caps` (no device) print the same
 * text for the same plan.
 */
import type { MemoryStats, StepInfo } from '../api.ts';
import type { Plan } from './build.ts';
import { storedDims } from './types.ts';

/** Each step's kernel, precision and stored shapes (inputs, then the output). */
export function planSteps(plan: Plan): StepInfo[] {
  return plan.steps.map((s, index) => {
    const ins: number[][] = [];
    let out: number[] = [];
    for (const [binding, name] of Object.entries(s.values)) {
      const v = plan.values.get(name)!;
      const kind = s.spec.bindings.find((b) => b.name === binding)?.kind;
      if (kind === 'storage') out = storedDims(v);
      else ins.push(storedDims(v));
    }
    return { index, node: s.node, op: s.op, kernel: s.spec.name, precision: s.precision, inputShapes: ins, outputShape: out, weightBytes: s.weightBytes, choice: s.choice };
  });
}

/** Weights and activation bytes of the plan (activations with and without buffer reuse). */
export function planMemory(plan: Plan): MemoryStats {
  return { weightBytes: plan.weightBytes, activationBytes: plan.buffers.peakBytes, naiveActivationBytes: plan.buffers.naiveBytes };
}

/** One line per step: op, kernel, precision, shapes, weight bytes; then memory totals. */
export function describePlan(plan: Plan): string {
  const rows = planSteps(plan).map((s) =>
    `${String(s.index).padStart(3)} ${s.op.padEnd(14)} ${s.kernel.padEnd(22)} ${s.precision.padEnd(9)} ` +
    `${s.inputShapes.map((d) => `[${d}]`).join(',')} -> [${s.outputShape}] ${s.weightBytes ? `${s.weightBytes} B` : ''}  ${s.node}` +
    (s.choice ? `  {${s.choice.family}, ${s.choice.tuned ? 'tuned' : 'default'}, ${s.choice.macPerByte.toFixed(1)} MAC/B}` : ''));
  const m = planMemory(plan);
  rows.push(`weights ${m.weightBytes} B; activations ${m.activationBytes} B with reuse (${m.naiveActivationBytes} B without)`);
  return rows.join('\n');
}
