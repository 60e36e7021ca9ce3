/**
 * Buffer plan by liveness: activations whose lifetimes do not overlap share a GPU buffer. Greedy, in schedule
 * order: a value takes the smallest free buffer that fits (else the largest free one, grown), and its buffer is
 * freed after its last reader. Graph inputs and outputs get buffers of their own.
 */
import type { PlanStep, RtValue } from './types.ts';

export interface Lifetime {
  name: string;
  bytes: number;
  /** Step that writes it (-1 for graph inputs). */
  def: number;
  /** Last step that reads it (Infinity for graph outputs). */
  lastUse: number;
  /** Never shared (graph inputs/outputs). */
  pinned?: boolean;
}

export interface BufferPlan {
  /** Value name -> pool slot. */
  slotOf: Map<string, number>;
  /** Size of each slot in bytes. */
  slotBytes: number[];
  /** Sum of slot sizes (what is allocated). */
  peakBytes: number;
  /** Sum of all value sizes (one buffer per value). */
  naiveBytes: number;
}

export function planBuffers(lifetimes: Lifetime[]): BufferPlan {
  const slotOf = new Map<string, number>();
  const slotBytes: number[] = [];
  const free: number[] = [];
  const order = [...lifetimes].sort((a, b) => a.def - b.def);
  const releases = new Map<number, number[]>();
  let step = -Infinity;
  const releaseUntil = (s: number) => {
    for (const [at, slots] of [...releases].sort((a, b) => a[0] - b[0])) {
      if (at >= s) break;
      free.push(...slots);
      releases.delete(at);
    }
  };
  for (const v of order) {
    if (v.def !== step) {
      releaseUntil(v.def);
      step = v.def;
    }
    let slot: number;
    if (v.pinned) {
      slot = slotBytes.push(v.bytes) - 1;
    } else {
      const fits = free.filter((s) => slotBytes[s] >= v.bytes).sort((a, b) => slotBytes[a] - slotBytes[b]);
      const pick = fits[0] ?? free.sort((a, b) => slotBytes[b] - slotBytes[a])[0];
      if (pick === undefined) slot = slotBytes.push(v.bytes) - 1;
      else {
        slot = pick;
        free.splice(free.indexOf(pick), 1);
        slotBytes[slot] = Math.max(slotBytes[slot], v.bytes);
      }
    }
    slotOf.set(v.name, slot);
    if (!v.pinned && Number.isFinite(v.lastUse)) {
      // Free after the last reader has run: available to values defined strictly later.
      const at = Math.max(v.lastUse, v.def);
      releases.set(at, [...(releases.get(at) ?? []), slot]);
    }
  }
  return {
    slotOf,
    slotBytes,
    peakBytes: slotBytes.reduce((a, b) => a + b, 0),
    naiveBytes: lifetimes.reduce((a, v) => a + v.bytes, 0),
  };
}

/** True if no two values sharing a slot are alive at the same step (for tests). */
export function isValidPlan(lifetimes: Lifetime[], plan: BufferPlan): boolean {
  const bySlot = new Map<number, Lifetime[]>();
  for (const v of lifetimes) bySlot.set(plan.slotOf.get(v.name)!, [...(bySlot.get(plan.slotOf.get(v.name)!) ?? []), v]);
  for (const [slot, vs] of bySlot) {
    for (const v of vs) if (v.bytes > plan.slotBytes[slot]) return false;
    for (let i = 0; i < vs.length; i++) {
      for (let j = i + 1; j < vs.length; j++) {
        const a = vs[i], b = vs[j];
        const aEnd = Number.isFinite(a.lastUse) ? Math.max(a.lastUse, a.def) : Infinity;
        const bEnd = Number.isFinite(b.lastUse) ? Math.max(b.lastUse, b.def) : Infinity;
        if (a.def <= bEnd && b.def <= aEnd) return false;
      }
    }
  }
  return true;
}

/** The lifetime of every activation buffer: the step that writes it and the last step that reads it. */
export function lifetimesOf(steps: PlanStep[], values: Map<string, RtValue>, inputs: string[], outputs: string[]): Lifetime[] {
  const def = new Map<string, number>();
  const last = new Map<string, number>();
  inputs.forEach((n) => def.set(n, -1));
  steps.forEach((s, i) => {
    for (const [binding, v] of Object.entries(s.values)) {
      const kind = s.spec.bindings.find((b) => b.name === binding)?.kind;
      if (kind === 'storage' && !def.has(v)) def.set(v, i);
      else last.set(v, i);
    }
  });
  const pinned = new Set([...inputs, ...outputs]);
  return [...def].map(([name, d]) => ({
    name,
    bytes: values.get(name)!.bytes,
    def: d,
    lastUse: outputs.includes(name) ? Infinity : (last.get(name) ?? d),
    pinned: pinned.has(name),
  }));
}
