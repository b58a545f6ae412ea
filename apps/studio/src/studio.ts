import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import {
  channelGroups,
  countMacs,
  countParams,
  criterionByName,
  evaluateModel,
  measureLatency,
  modelArtifacts,
  planPruning,
  precomputedImportance,
  pruneModel,
  pruneToTarget,
  quantizeArtifacts,
  releaseSharedLayers,
  sensitivityAnalysis,
  type CriterionName,
  type ImportanceCriterion,
  type ModelGroups,
  type PruneModelResult,
  type SensitivityResult,
  type WeightQuantization,
} from '@prune/core';
import type { DroppedImages } from './droppedImages';

/** How much to prune: a ratio (uniform or global), or a target as the fraction of params, MACs or latency to remove. */
export interface Setting {
  mode: 'uniform' | 'global' | 'params' | 'macs' | 'latency';
  /** In [0, 0.95]: the ratio, or the fraction of the model's params / MACs / latency to take away. */
  amount: number;
}

/** What one setting gives, measured in this browser. */
export interface Measurement {
  params: number;
  macs: number;
  latencyMs: number;
  accuracy?: number;
  ratio: number;
  groups: { group: string; before: number; after: number }[];
}

const LATENCY = { runs: 7, warmup: 2 };

/** The model as dropped, its groups, optional data, and the channel scores of the chosen criterion (computed once). */
export class Studio {
  readonly groups: ModelGroups;
  readonly before: { params: number; macs: number; latencyMs: number; accuracy?: number };
  private criterion: ImportanceCriterion | undefined;
  private current: PruneModelResult | undefined;
  private readonly latencyInputs: tf.Tensor[];

  private constructor(
    readonly model: LayersModel,
    readonly data: DroppedImages | undefined,
    latencyInputs: tf.Tensor[],
    before: Studio['before'],
  ) {
    this.groups = channelGroups(model);
    this.latencyInputs = latencyInputs;
    this.before = before;
  }

  /** Measures the unpruned model (params, MACs, latency on the current backend, accuracy on the data). */
  static async create(model: LayersModel, data: DroppedImages | undefined): Promise<Studio> {
    const inputs = model.inputs.map((input, i) => {
      const shape = input.shape.slice(1);
      if (shape.some((d) => d == null)) throw new Error(`model input '${input.name}' has unknown sizes [${shape.map((d) => d ?? '?').join(', ')}]; the page needs fixed input sizes to measure latency`);
      return tf.randomNormal([1, ...(shape as number[])], 0, 1, 'float32', i + 1);
    });
    const x = inputs.length === 1 ? inputs[0]! : inputs;
    const before = {
      params: countParams(model).total,
      macs: countMacs(model).macs,
      latencyMs: (await measureLatency(model, x, LATENCY)).medianMs,
      ...(data ? { accuracy: evaluateModel(model, data) } : {}),
    };
    return new Studio(model, data, inputs, before);
  }

  /** Scores every group's channels with the criterion (once; each setting then only rebuilds). */
  async score(name: CriterionName): Promise<void> {
    const plan = await planPruning(this.model, { ratio: 0, criterion: criterionByName(name), ...(this.data ? { data: this.data } : {}) });
    this.criterion = precomputedImportance(plan.criterion, new Map(plan.groups.map((g) => [g.group, g.scores])));
  }

  /** Each group pruned alone at 25, 50 and 75% (by the chosen criterion), accuracy on the data. */
  async sensitivity(onProgress: (done: number, total: number) => void): Promise<SensitivityResult> {
    if (!this.data) throw new Error('sensitivity needs labelled images');
    return sensitivityAnalysis(this.model, this.data, { criterion: this.criterion, onProgress: (done, total) => onProgress(done, total) });
  }

  /** Prunes the model for a setting and measures the result; the previous result is disposed. */
  async apply(setting: Setting): Promise<Measurement> {
    if (!this.criterion) throw new Error('score the channels first');
    const options = { criterion: this.criterion };
    const x = this.latencyInputs.length === 1 ? this.latencyInputs[0]! : this.latencyInputs;
    let result: PruneModelResult;
    let ratio: number;
    if (setting.mode === 'uniform' || setting.mode === 'global') {
      ratio = setting.amount;
      result = await pruneModel(this.model, { ...options, ratio, strategy: setting.mode });
    } else {
      const keep = 1 - setting.amount;
      const target =
        setting.mode === 'params'
          ? { params: Math.floor(this.before.params * keep) }
          : setting.mode === 'macs'
            ? { macs: Math.floor(this.before.macs * keep) }
            : { latencyMs: this.before.latencyMs * keep, inputs: x, latency: LATENCY };
      const found = await pruneToTarget(this.model, { ...options, target, precision: 1 / 128 });
      result = found;
      ratio = found.ratio;
    }
    this.current?.model.dispose();
    this.current = result;
    const measured: Measurement = {
      params: result.report.totals.params.after,
      macs: result.report.totals.macs.after,
      latencyMs: (await measureLatency(result.model, x, LATENCY)).medianMs,
      ratio,
      groups: result.report.groups.map((g) => ({ group: g.group, before: g.channels.before, after: g.channels.after })),
    };
    if (this.data) measured.accuracy = evaluateModel(result.model, this.data);
    return measured;
  }

  /** The current pruned model's artifacts, quantized if asked, with their size in bytes and the accuracy after quantization. */
  async artifacts(quantize: WeightQuantization | undefined): Promise<{ artifacts: tf.io.ModelArtifacts; bytes: number; accuracy?: number }> {
    if (!this.current) throw new Error('nothing pruned yet');
    let artifacts = await modelArtifacts(this.current.model);
    let accuracy: number | undefined;
    if (quantize) {
      artifacts = quantizeArtifacts(artifacts, quantize).artifacts;
      if (this.data) {
        const { loadLayersModel } = await import('@tensorflow/tfjs-layers');
        const reloaded = await loadLayersModel(tf.io.fromMemory(artifacts));
        releaseSharedLayers(reloaded);
        accuracy = evaluateModel(reloaded, this.data);
        reloaded.dispose();
      }
    }
    const info = tf.io.getModelArtifactsInfoForJSON(artifacts);
    return { artifacts, bytes: (info.modelTopologyBytes ?? 0) + (info.weightSpecsBytes ?? 0) + (info.weightDataBytes ?? 0), ...(accuracy !== undefined ? { accuracy } : {}) };
  }

  dispose(): void {
    this.current?.model.dispose();
    tf.dispose(this.latencyInputs);
    this.data?.inputs.dispose();
    this.model.dispose();
  }
}
