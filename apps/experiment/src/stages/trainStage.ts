import type { LayersModel } from '@tensorflow/tfjs-layers';
import { defaultThreadCount, type BackendSelection } from '@prune/backend';
import type { RunConfig } from '../runConfigSchema.js';
import { createSiameseModel } from '@prune/siamese';
import { trainSiameseParallel } from '@prune/siamese/node';
import type { SeedData } from '../buildSeedData.js';
import { deriveSeed } from '../deriveSeed.js';
import { loadCachedModel, modelCacheKey, storeCachedModel, type CacheMeta, type TrainingIdentity } from '../modelCache.js';
import type { StageContext } from './stageContext.js';

export interface TrainInput {
  config: RunConfig;
  seed: number;
  data: SeedData;
  cacheDir: string;
  backend: BackendSelection;
  /** Appended to progress lines (the seed when there are several). */
  tag: string;
}

export interface TrainOutput {
  /** The trained model; the caller disposes it. */
  model: LayersModel;
  meta: CacheMeta;
  /** True when the model came from the cache. */
  reused: boolean;
}

/** Stage 2: the trained model of a seed, from the cache when an entry matches the data and training config, else trained and cached. */
export async function trainStage({ config, seed, data, cacheDir, backend, tag }: TrainInput, ctx: StageContext): Promise<TrainOutput> {
  const identity: TrainingIdentity = {
    modelSeed: deriveSeed(seed, 'model-init'),
    trainSeed: deriveSeed(seed, 'training'),
    epochs: config.epochs,
    batchSize: config.batchSize,
    learningRate: config.learningRate,
    backend: backend.backend,
    threads: backend.backend === 'wasm' ? (config.threads ?? (await defaultThreadCount())) : null,
  };
  const key = modelCacheKey(identity, data.train);
  let replace = !config.cache;
  if (config.cache) {
    const cached = await loadCachedModel(cacheDir, key);
    if (cached.status === 'hit') {
      ctx.progress.log(`model${tag}: reusing the cached model ${key} (trained ${cached.meta.createdAt} on ${cached.meta.backend} in ${cached.meta.trainSeconds.toFixed(0)}s; content checked)`);
      return { model: cached.model, meta: cached.meta, reused: true };
    }
    if (cached.status === 'damaged') {
      ctx.progress.log(`warning: model cache entry ${cached.dir} is damaged: ${cached.reason}; training again and replacing it`);
      replace = true;
    }
  }
  const model = createSiameseModel({ seed: identity.modelSeed });
  const batches = Math.ceil(data.train.count / config.batchSize);
  let task = config.epochs > 0 ? ctx.progress.task(`epoch 1/${config.epochs}${tag}`, batches, 'batches') : null;
  const history = await trainSiameseParallel(model, data.train, {
    threads: config.threads ?? undefined, // one replica per thread (default every core) on wasm
    epochs: config.epochs,
    batchSize: config.batchSize,
    learningRate: config.learningRate,
    seed: identity.trainSeed,
    signal: ctx.signal,
    onBatch: (b) => task?.update(b.batch, `loss ${b.loss.toFixed(3)}, ${Math.round(b.pairsPerSecond)} pairs/s`),
    onEpoch: (e) => {
      task?.stop(`loss ${e.loss.toFixed(4)}, train accuracy ${e.accuracy.toFixed(4)}, ${Math.round(e.pairsPerSecond)} pairs/s`);
      task = e.epoch < e.epochs ? ctx.progress.task(`epoch ${e.epoch + 1}/${e.epochs}${tag}`, batches, 'batches') : null;
    },
  });
  const on = history.replicas > 1 ? `${history.replicas} model replicas in worker threads` : 'this thread';
  ctx.progress.log(`model${tag}: trained ${config.epochs} epochs in ${history.seconds.toFixed(1)}s on ${on}`);
  const meta = await storeCachedModel(cacheDir, model, {
    key,
    identity,
    history: history.epochs.map((e) => ({ epoch: e.epoch, loss: e.loss, accuracy: e.accuracy, seconds: e.seconds })),
    trainSeconds: history.seconds,
    backend: backend.backend,
    createdAt: new Date().toISOString(),
  }, { replace });
  return { model, meta, reused: false };
}
