/**
 * Learned weight rounding for a whole model, layer by layer, on the inputs the quantized model itself produces:
 *
 *   wave 0: layers whose input depends on no learned layer
 *   wave k: layers whose input depends on learned layers of waves < k only
 *   for each wave: build the QDQ model with every layer learned so far (the rest round-to-nearest),
 *                  run it over the calibration batches through `source` and read each layer's *quantized* input
 *                  (the DequantizeLinear output it reads), accumulate H = X^T X (hessian.ts), GPTQ (gptq.ts)
 *
 * So each layer's rounding compensates what the layers before it actually produce, including their rounding.
 * With `source` = gpuRuntimeSource those inputs come from the GPU runtime's own integer arithmetic (fused
 * conv + activation + requantize, as deployed); the default is the fake-quant simulation (onnxruntime, Q/DQ in
 * float). ResNet-style blocks need about one wave per conv depth (the 1x1 shortcut joins the block's first conv).
 *
 * `wavesPerRun` > 1 reads the inputs of several consecutive waves from one model run: a layer then sees its
 * predecessors inside the same chunk rounded to nearest (still quantized, not yet learned). One run per wave is
 * exact but costs one full model pass over the calibration set per wave: YOLOX-nano has 72 waves, about 20 s
 * each on onnxruntime under load, so 24 minutes per learn and three learns for a mixed row.
 */
import type { Graph, Node } from '../runtime/ir.ts';
import { attrInt } from '../runtime/ir.ts';
import { buildQdq, type BuildOptions, type LayerBits } from './build.ts';
import type { CalibrationSet, CalibrationStats } from './calibrate.ts';
import { floatInit, quantizableLayers, weightSlot } from './graph.ts';
import { gptqRound, regressToFloat, type GptqOptions } from './gptq.ts';
import { accumulateConv, accumulateRows, finishHessian, HESSIAN_BUDGET, type LayerHessian, newHessian } from './hessian.ts';
import type { GraphRunner } from './sensitivity.ts';
import type { Tensors } from './source.ts';
import { quantizeNodeWeight, quantizeWeight, type QuantizedWeight, type WeightBits } from './weights.ts';

export interface LearnOptions extends GptqOptions {
  /** Runs a QDQ graph and returns named values (default: fake quant, `fakeQuantRunner` of quantize.ts). */
  source: GraphRunner;
  /** Layers at these bits are learned (default [4]: int8 rounding error is too small to be worth a pass). */
  bits?: WeightBits[];
  /** Calibration batches to use (default all). */
  maxBatches?: number;
  /**
   * Multiply-adds per layer for its Hessian over all batches (default 4 x HESSIAN_BUDGET: what 4 CIFAR batches of
   * 50 got before), and at least 16 x cols rows in all. Both split evenly over the batches, so 32 one-image
   * detector batches cost what 4 batches do.
   */
  hessianBudget?: number;
  /**
   * What each layer reproduces: 'quantized' (GPTQ: its own output on its quantized inputs, X W^T) or 'float' (the
   * float model's layer output, X_f W^T, which also makes up for the error of the quantized layers before it;
   * costs a float model run per wave), or 'float-bias' (GPTQ's codes, and only the bias moved so that each output
   * channel's mean equals the float layer's on the calibration positions: empirical bias correction on the
   * quantized model). Default 'quantized'.
   */
  target?: 'quantized' | 'float' | 'float-bias';
  /** Consecutive waves whose inputs one model run provides (default 1: exact; see the module comment). */
  wavesPerRun?: number;
  onProgress?: (done: number, total: number, note: string) => void;
}

/** Waves of the layers to learn (see the module comment), each in graph order. */
export function learnWaves(g: Graph, learn: Set<string>): Node[][] {
  const depth = new Map<string, number>();
  const waves: Node[][] = [];
  for (const n of g.nodes) {
    const inDepth = Math.max(0, ...n.inputs.map((i) => depth.get(i) ?? 0));
    let out = inDepth;
    if (learn.has(n.name)) {
      (waves[inDepth] ??= []).push(n);
      out = inDepth + 1;
    }
    for (const o of n.outputs) depth.set(o, out);
  }
  return waves.filter((w) => w?.length);
}

/**
 * The GPTQ-rounded weight of one layer from its Hessian (scales: round-to-nearest's, per output channel). With
 * the float cross term (`h.float`, target 'float') the layer first regresses its weights onto the float layer's
 * output (gptq.ts `regressToFloat`), takes round-to-nearest's scales of those, and records the measured output
 * shift for bias correction (`QuantizedWeight.shift`).
 */
export function learnedWeight(g: Graph, n: Node, bits: WeightBits, h: LayerHessian, build: BuildOptions, gptq: GptqOptions & { target?: LearnOptions['target'] } = {}): QuantizedWeight {
  const regress = h.float !== undefined && gptq.target !== 'float-bias';
  const method = build.weightMethod ?? 'minmax';
  const w = floatInit(g, n.inputs[weightSlot(g, n)!.input]);
  const qmax = bits === 4 ? 7 : 127;
  const rtn = quantizeNodeWeight(g, n, bits, method);
  // As [groups][rowsPerGroup, cols] row-major: conv weights are that already; Gemm [K, N] (axis 1) is transposed.
  const conv = n.opType === 'Conv';
  const [d0, d1] = rtn.dims;
  const transposed = !conv && rtn.axis !== 0;
  const rows = conv ? rtn.dims[0] : transposed ? d1 : d0;
  const cols = h.cols;
  const groups = conv ? attrInt(n, 'group', 1) : 1;
  const rowsPerGroup = rows / groups;
  const wt = transposed ? Float32Array.from({ length: w.length }, (_, k) => w[(k % cols) * d1 + Math.floor(k / cols)]) : w;
  const target = new Float32Array(wt.length);
  for (let gi = 0; gi < groups; gi++) {
    const part = wt.subarray(gi * rowsPerGroup * cols, (gi + 1) * rowsPerGroup * cols);
    target.set(regress ? regressToFloat(part, rowsPerGroup, cols, h.h[gi], h.float!.cross[gi], gptq.damp) : part, gi * rowsPerGroup * cols);
  }
  const scale = regress ? quantizeWeight(target, [rows, cols], 0, bits, method).scale : rtn.scale;
  const codesRows = new Int8Array(wt.length);
  for (let gi = 0; gi < groups; gi++) {
    const off = gi * rowsPerGroup * cols;
    codesRows.set(gptqRound(target.subarray(off, off + rowsPerGroup * cols), rowsPerGroup, cols, h.h[gi], scale.subarray(gi * rowsPerGroup, (gi + 1) * rowsPerGroup), qmax, gptq), off);
  }
  let shift: Float64Array | undefined;
  if (h.float && h.rows > 0) {
    // mean(X q) - mean(X_f w) per output channel, from the column sums of the same positions.
    shift = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const gi = Math.floor(r / rowsPerGroup);
      let s = 0;
      for (let k = 0; k < cols; k++) s += h.float.sum[gi][k] * codesRows[r * cols + k] * scale[r] - h.float.sumFloat[gi][k] * wt[r * cols + k];
      shift[r] = s / h.rows;
    }
  }
  const codes = transposed ? new Int8Array(codesRows.length) : codesRows;
  if (transposed) for (let r = 0; r < rows; r++) for (let k = 0; k < cols; k++) codes[k * d1 + r] = codesRows[r * cols + k];
  const perRow = codes.length / scale.length;
  const dequantized = Float32Array.from(codes, (q, k) => Math.fround(q * scale[rtn.axis === 0 ? Math.floor(k / perRow) : k % scale.length]));
  return { ...rtn, codes, scale, dequantized, shift };
}

/** Learned weights for every layer of `bits` whose bits are in `opts.bits`; pass the result as `build.learned`. */
export async function learnRounding(g: Graph, stats: CalibrationStats, bits: LayerBits, build: BuildOptions, data: CalibrationSet, opts: LearnOptions): Promise<Map<string, QuantizedWeight>> {
  const which = new Set(opts.bits ?? [4]);
  const targets = new Set(quantizableLayers(g).filter((n) => which.has(bits.get(n.name)!)).map((n) => n.name));
  const waves = learnWaves(g, targets);
  const learned = new Map<string, QuantizedWeight>();
  const batches = Math.min(data.count, opts.maxBatches ?? data.count);
  // Per batch at most the default (so 4 or fewer batches sample as before), else the total split evenly.
  const budget = Math.min(HESSIAN_BUDGET, (opts.hessianBudget ?? 4 * HESSIAN_BUDGET) / batches);
  let done = 0;
  const toFloat = opts.target === 'float' || opts.target === 'float-bias';
  const per = Math.max(1, Math.floor(opts.wavesPerRun ?? 1));
  // A layer reading a chunk-mate's rounded-to-nearest output would make up for an error that the chunk-mate, also
  // learned against the float model, removes itself: both corrections land (seen: YOLOX-nano W8A8 at 0.0 mAP).
  if (toFloat && per > 1) throw new Error(`learnRounding: target '${opts.target}' needs one model run per wave (wavesPerRun 1, got ${per})`);
  const runs = Math.ceil(waves.length / per);
  // The float model is the same for every wave: one source for all of them.
  const floatSrc = toFloat ? await opts.source(g) : undefined;
  try {
    for (let k = 0; k < runs; k++) {
      const wave = waves.slice(k * per, (k + 1) * per).flat();
      const note = per === 1 ? `wave ${k + 1}/${waves.length}` : `waves ${k * per + 1}-${Math.min(waves.length, (k + 1) * per)}/${waves.length}`;
      const qg = buildQdq(g, stats, bits, { ...build, learned });
      const byName = new Map(qg.nodes.map((n) => [n.name, n]));
      const inputOf = new Map(wave.map((n) => [n.name, byName.get(n.name)!.inputs[0]]));
      const hs = new Map<string, LayerHessian>();
      for (const n of wave) {
        const w = g.initializers.get(n.inputs[weightSlot(g, n)!.input])!;
        const group = n.opType === 'Conv' ? attrInt(n, 'group', 1) : 1;
        const cols = n.opType === 'Conv' ? w.dims.slice(1).reduce((a, b) => a * b, 1) : weightSlot(g, n)!.axis === 0 ? w.dims[1] : w.dims[0];
        hs.set(n.name, newHessian(group, cols, toFloat));
      }
      const src = await opts.source(qg);
      try {
        const names = [...new Set(inputOf.values())];
        const floatNames = [...new Set(wave.map((n) => n.inputs[0]))];
        for (let b = 0; b < batches; b++) {
          const feeds = await data.batch(b);
          const out: Tensors = await src.run(feeds, names);
          const outFloat: Tensors | undefined = await floatSrc?.run(feeds, floatNames);
          for (const n of wave) {
            const x = out[inputOf.get(n.name)!];
            if (!x) throw new Error(`learnRounding: ${src.label} returned no input '${inputOf.get(n.name)}' for ${n.opType} '${n.name}'`);
            const xf = outFloat?.[n.inputs[0]];
            if (outFloat && !xf) throw new Error(`learnRounding: ${floatSrc!.label} returned no float input '${n.inputs[0]}' for ${n.opType} '${n.name}'`);
            if (n.opType === 'Conv') accumulateConv(hs.get(n.name)!, n, g.initializers.get(n.inputs[1])!.dims, x, budget, Math.ceil((16 * hs.get(n.name)!.cols) / batches), xf);
            else accumulateRows(hs.get(n.name)!, x, xf);
          }
          opts.onProgress?.(done, targets.size, `${note}: inputs, batch ${b + 1}/${batches}`);
        }
      } finally {
        await src.dispose();
      }
      for (const n of wave) {
        learned.set(n.name, learnedWeight(g, n, bits.get(n.name)!, finishHessian(hs.get(n.name)!), build, opts));
        opts.onProgress?.(++done, targets.size, `${note}: GPTQ ${n.name}`);
      }
    }
  } finally {
    await floatSrc?.dispose();
  }
  return learned;
}
