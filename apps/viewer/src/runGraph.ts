import type { Tensor } from '@tensorflow/tfjs-core';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';

/**
 * Evaluates symbolic tensors of a tfjs-layers graph from values fed at any point of it (inputs or intermediate
 * tensors), applying each layer once per node; the caller owns the returned tensors (wrap the call in tf.tidy).
 */
export function runGraph(fetches: readonly SymbolicTensor[], feeds: ReadonlyMap<SymbolicTensor, Tensor>): Tensor[] {
  const memo = new Map<SymbolicTensor, Tensor>(feeds);
  const value = (target: SymbolicTensor): Tensor => {
    const known = memo.get(target);
    if (known) return known;
    const layer = target.sourceLayer;
    const node = layer.inboundNodes[target.nodeIndex];
    if (!node || node.inputTensors.length === 0) {
      throw new Error(`runGraph: no value fed for '${target.name}' (an input of layer '${layer.name}')`);
    }
    const inputs = node.inputTensors.map(value);
    // Inference: dropout is the identity and batch normalisation uses its moving statistics.
    const out = layer.apply(inputs.length === 1 ? (inputs[0] as Tensor) : inputs, { ...node.callArgs, training: false }) as Tensor | Tensor[];
    const outs = Array.isArray(out) ? out : [out];
    node.outputTensors.forEach((symbolic, i) => {
      const concrete = outs[i];
      if (concrete) memo.set(symbolic, concrete);
    });
    const produced = memo.get(target);
    if (!produced) throw new Error(`runGraph: layer '${layer.name}' produced no output #${target.tensorIndex}`);
    return produced;
  };
  return fetches.map(value);
}
