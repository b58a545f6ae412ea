// A replica of the model in a worker thread: gradients of its share of each batch, summed with the other replicas'
// in shared memory, then the Adam step.
import { parentPort } from 'node:worker_threads';
import { tensor, tensor1d, tensor4d, variableGrads, type NamedTensorMap, type Optimizer, type Variable } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { readInto, selectBackend } from '@prune/backend';
import { IMAGE_PIXELS, IMAGE_SIZE } from '@prune/mnist-pairs';
import { labAdam } from '../labAdam';
import { siameseFromArtifacts } from '../modelArtifacts';
import { seedDropoutLayers } from '../seededDropout';
import { seedStream } from '../seeds';
import { siameseLoss } from '../siameseLoss';
import { batchInputsOf, type BatchInputs } from './batchInputs';
import { checkExchangeLayout, GradientExchange } from './gradientExchange';
import type { FromWorker, ToWorker } from './workerProtocol';

const port = parentPort!;
let replica: { model: LayersModel; variables: Variable[]; optimizer: Optimizer; exchange: GradientExchange; inputs: BatchInputs } | undefined;

function reply(message: FromWorker): void {
  port.postMessage(message);
}

async function init({ artifacts, dropoutSeed, learningRate, exchange, inputs, index }: Extract<ToWorker, { type: 'init' }>): Promise<FromWorker> {
  // One thread per replica: the replicas are the parallelism.
  await selectBackend('wasm', { threads: 1 });
  const model = await siameseFromArtifacts(artifacts).catch((error: unknown) => {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`could not rebuild the model in its worker thread (${why}); layer classes registered only on the main thread are unknown there: train with threads: 1`);
  });
  seedDropoutLayers(model, seedStream(dropoutSeed));
  const variables = model.trainableWeights.map((w) => w.read() as Variable);
  checkExchangeLayout(exchange, variables.map((v) => v.shape));
  replica = { model, variables, optimizer: labAdam(learningRate), exchange: new GradientExchange(exchange, index), inputs: batchInputsOf(inputs) };
  return { type: 'ready' };
}

/**
 * Gradients of this replica's shard, summed with the other replicas' through the exchange, then the Adam step.
 * Answers as soon as its loss share is known, so that the trainer prepares the next batch meanwhile; a later
 * failure is reported in answer to the next message.
 */
function step(message: Extract<ToWorker, { type: 'step' }>): void {
  const { variables, optimizer, exchange } = replica!;
  try {
    // A replica without pairs draws no dropout mask, as its seed stream must not advance.
    const own = message.to > message.from ? gradients(message) : undefined;
    try {
      reply({ type: 'stepped', loss: own?.loss ?? 0, correct: own?.correct ?? 0 });
      const write = own && ((slot: readonly Float32Array[]) => variables.forEach((v, i) => readInto(own.grads[v.name]!, slot[i]!)));
      const summed = exchange.exchange(write, message.contributors);
      const named: NamedTensorMap = {};
      variables.forEach((v, i) => (named[v.name] = tensor(summed[i]!, v.shape, 'float32')));
      optimizer.applyGradients(named);
      for (const t of Object.values(named)) t.dispose();
    } finally {
      for (const g of Object.values(own?.grads ?? {})) g.dispose();
    }
  } catch (error) {
    exchange.abandon(); // the other replicas fail at once rather than wait for this one
    throw error;
  }
}

/** This replica's gradients of pairs [from, to) of the shared batch (the caller disposes them), its loss and hits. */
function gradients({ from, to, total }: Extract<ToWorker, { type: 'step' }>): { grads: NamedTensorMap; loss: number; correct: number } {
  const { model, variables, inputs } = replica!;
  const size = to - from;
  const images = (all: Float32Array) => tensor4d(all.subarray(from * IMAGE_PIXELS, to * IMAGE_PIXELS), [size, IMAGE_SIZE, IMAGE_SIZE, 1]);
  const batch = { left: images(inputs.left), right: images(inputs.right), labels: tensor1d(inputs.labels.subarray(from, to)) };
  let correct: ReturnType<typeof siameseLoss>['correct'] | undefined;
  try {
    const { value, grads } = variableGrads(() => {
      const out = siameseLoss(model, batch, total);
      correct = out.correct;
      return out.loss;
    }, variables);
    const loss = value.dataSync()[0]!;
    value.dispose();
    return { grads, loss, correct: correct!.dataSync()[0]! };
  } finally {
    correct?.dispose();
    batch.left.dispose();
    batch.right.dispose();
    batch.labels.dispose();
  }
}

function weights(): FromWorker {
  return { type: 'weights', values: replica!.model.getWeights().map((w) => w.dataSync() as Float32Array) };
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'init':
      return reply(await init(message));
    case 'step':
      return step(message);
    case 'weights':
      return reply(weights());
  }
}

// Messages are handled one after another, in the order they were sent.
let queue = Promise.resolve();
port.on('message', (message: ToWorker) => {
  queue = queue.then(() => handle(message)).catch((error: unknown) => {
    reply({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  });
});
