import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from './configError';
import { CRITERION_NAMES, criterionByName, isCriterionName, type CriterionName, type WeightQuantization } from '@prune/core';


/** A target as given: a fraction of the original (`params=50%`), an absolute count (`macs=1.2G`) or milliseconds. */
export type TargetSpec = { kind: 'params' | 'macs'; fraction: number } | { kind: 'params' | 'macs'; count: number } | { kind: 'latencyMs'; ms: number };

/** How images are turned into model inputs: resized to the model's input size, then (x · scale − mean) / std. */
export interface Preprocess {
  /** Height and width to resize images to (default: the model's input size). */
  size?: [number, number];
  scale: number;
  mean: number[];
  std: number[];
}

/** Everything the command does, checked. */
export interface PruneConfig {
  /** The model's folder or its model.json. */
  model: string;
  /** Where the pruned model and report are written. */
  out: string;
  criterion: CriterionName;
  strategy: 'uniform' | 'global';
  ratio?: number;
  layerRatios: Record<string, number>;
  target?: TargetSpec;
  exclude: string[];
  minChannels: number;
  roundTo: number;
  /** Calibration / evaluation data: a folder of class subfolders of images, a .json file, or a .npy file of inputs. */
  data?: string;
  /** Labels for a .npy `data` file (.npy or .json). */
  labels?: string;
  /** At most this many examples of the data (default all). */
  limit?: number;
  preprocess: Preprocess;
  fineTuneEpochs: number;
  learningRate: number;
  batchSize: number;
  quantize?: WeightQuantization;
  backend: 'auto' | 'wasm' | 'cpu';
  latencyRuns: number;
  /** Threads of the wasm backend (default: every core). */
  threads?: number;
  seed: number;
  progress: 'auto' | 'lines' | 'none';
}

function fraction(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!(n >= 0 && n < 1)) throw new InvalidArgumentError(`${flag} takes a fraction in [0, 1), e.g. 0.3 to remove 30% of the channels`);
    return n;
  };
}

function positiveInt(flag: string, min = 1) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${flag} takes an integer ≥ ${min}`);
    return n;
  };
}

function positive(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`${flag} takes a positive number`);
    return n;
  };
}

/** `1/255`, `0.0039` or `2`. */
function scaleValue(value: string): number {
  const m = /^\s*([\d.eE+-]+)\s*(?:\/\s*([\d.eE+-]+))?\s*$/.exec(value);
  const n = m ? Number(m[1]) / (m[2] === undefined ? 1 : Number(m[2])) : Number.NaN;
  if (!Number.isFinite(n) || n === 0) throw new InvalidArgumentError(`--scale takes a number or a fraction such as 1/255`);
  return n;
}

function numberList(flag: string, positiveOnly: boolean) {
  return (value: string): number[] => {
    const list = value.split(',').map((v) => Number(v.trim()));
    if (list.length === 0 || list.some((n) => !Number.isFinite(n) || (positiveOnly && !(n > 0)))) {
      throw new InvalidArgumentError(`${flag} takes one number or one per channel, comma-separated (e.g. 0.485,0.456,0.406)`);
    }
    return list;
  };
}

function imageSize(value: string): [number, number] {
  const m = /^\s*(\d+)\s*[x×,]\s*(\d+)\s*$/.exec(value);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new InvalidArgumentError(`--size takes HEIGHTxWIDTH, e.g. 224x224`);
  return [Number(m[1]), Number(m[2])];
}

const SUFFIX: Record<string, number> = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6, g: 1e9, G: 1e9 };

/** `params=50%`, `params=1.2M`, `macs=300M`, `latency=12ms`. */
export function parseTarget(value: string): TargetSpec {
  const m = /^\s*(params|macs|latency)\s*=\s*([\d.]+)\s*(%|ms|[kKmMgG]?)\s*$/.exec(value);
  const help = `--target takes params=<N or %>, macs=<N or %> or latency=<ms>, e.g. params=50%, macs=300M, latency=20ms; got '${value}'`;
  if (!m) throw new InvalidArgumentError(help);
  const [, kind, num, unit] = m as unknown as [string, 'params' | 'macs' | 'latency', string, string];
  const n = Number(num);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(help);
  if (kind === 'latency') {
    if (unit !== 'ms' && unit !== '') throw new InvalidArgumentError(help);
    return { kind: 'latencyMs', ms: n };
  }
  if (unit === 'ms') throw new InvalidArgumentError(help);
  if (unit === '%') {
    if (n >= 100) throw new InvalidArgumentError(`--target ${kind}=${n}% keeps everything; give a percentage below 100`);
    return { kind, fraction: n / 100 };
  }
  return { kind, count: n * SUFFIX[unit]! };
}

/** `conv1=0.2,block2/conv=0.5`. */
function layerRatios(value: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const entry of value.split(',').filter((e) => e.trim() !== '')) {
    const m = /^\s*([^=\s]+)\s*=\s*([\d.]+)\s*$/.exec(entry);
    const r = m ? Number(m[2]) : Number.NaN;
    if (!m || !(r >= 0 && r < 1)) throw new InvalidArgumentError(`--layer-ratios takes layer=fraction pairs, comma-separated (e.g. conv1=0.2,conv2=0.5); '${entry}' is not one`);
    out[m[1]!] = r;
  }
  return out;
}

const list = (value: string): string[] => value.split(',').map((s) => s.trim()).filter((s) => s !== '');

/** The command's parser: every flag with its check and default, and the help text. */
export function createProgram(): Command {
  return new Command('prune')
    .description('Channel-prune a TensorFlow.js layers model (model.json + weight shards, Keras-converted ones included) and write the pruned model with a report.')
    .argument('<model>', 'the model: its folder or its model.json')
    .option('-o, --out <dir>', 'folder for the pruned model and report.json (default: <model folder>-pruned)')
    .addOption(new Option('-c, --criterion <name>', 'importance criterion').choices(CRITERION_NAMES).default('l1-norm'))
    .option('-r, --ratio <fraction>', 'fraction of channels to remove: of each group (uniform) or of all (global)', fraction('--ratio'))
    .addOption(new Option('-s, --strategy <name>', 'uniform: each group loses the ratio; global: one ranking across groups').choices(['uniform', 'global']).default('uniform'))
    .option('--layer-ratios <list>', 'per-layer ratios, e.g. conv1=0.2,conv2=0.5 (others take --ratio)', layerRatios)
    .option('-t, --target <kind=value>', 'prune until params=<N|%>, macs=<N|%> or latency=<ms> (measured) is reached, instead of a ratio', parseTarget)
    .option('-x, --exclude <layers>', 'layers whose groups are left alone, comma-separated', list)
    .option('--min-channels <n>', 'channels each group keeps at least', positiveInt('--min-channels'), 1)
    .option('--round-to <n>', 'round kept channel counts up to a multiple of n (e.g. 8 for fast kernels)', positiveInt('--round-to'), 1)
    .option('-d, --data <path>', 'calibration/evaluation data: a folder with one subfolder of images per class, a .json file {inputs, labels}, or a .npy file of inputs')
    .option('--labels <path>', 'labels for a .npy --data file: a .npy or .json file of class indices')
    .option('--limit <n>', 'use at most n examples of the data', positiveInt('--limit'))
    .option('--size <HxW>', "images: resize to this size (default: the model's input size), e.g. 224x224", imageSize)
    .option('--scale <number>', 'images: multiply pixel values (0-255) by this before mean/std', scaleValue, 1 / 255)
    .option('--mean <list>', 'images: subtract this (one value or one per channel) after scaling', numberList('--mean', false), [0])
    .option('--std <list>', 'images: divide by this (one value or one per channel) after the mean', numberList('--std', true), [1])
    .option('--fine-tune-epochs <n>', 'fine-tune the pruned model on the data for n epochs', positiveInt('--fine-tune-epochs', 0), 0)
    .option('--learning-rate <number>', 'fine-tuning learning rate (Adam)', positive('--learning-rate'), 1e-4)
    .option('--batch-size <n>', 'examples per batch when scoring, evaluating and fine-tuning', positiveInt('--batch-size'), 32)
    .addOption(new Option('-q, --quantize <dtype>', 'store the written weights as float16 or uint8 (tfjs weights-manifest quantization)').choices(['float16', 'uint8']))
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(['auto', 'wasm', 'cpu']).default('auto'))
    .option('--threads <n>', 'threads of the wasm backend (default: every core)', positiveInt('--threads'))
    .option('--latency-runs <n>', 'timed predict calls per latency measurement (median reported)', positiveInt('--latency-runs'), 10)
    .option('--seed <n>', 'seed of the random criterion and of fine-tuning shuffles', positiveInt('--seed', 0), 0)
    .addOption(new Option('--progress <mode>', 'progress on stderr').choices(['auto', 'lines', 'none']).default('auto'))
    .showHelpAfterError('(run prune --help for every option)')
    .addHelpText(
      'after',
      `
Examples:
  prune ./mobilenet --ratio 0.3 -o ./mobilenet-pruned
  prune ./mobilenet/model.json --target params=50% --data ./images --scale 1/127.5 --mean 1 --quantize uint8
  prune ./model --criterion mean-activation --strategy global --ratio 0.4 --data calib.npy --labels labels.npy --fine-tune-epochs 2`,
    );
}

/** `models/net` or `models/net/model.json` → `models/net-pruned`; a bare `model.json` → `pruned`. */
function defaultOut(model: string): string {
  const folder = model.replace(/(^|\/)model\.json$/, '').replace(/\/+$/, '');
  return folder === '' || folder === '.' ? 'pruned' : `${folder}-pruned`;
}

/**
 * Parses the `prune` command line (without node and the script) into a checked config, before anything is loaded:
 * what `prune` itself does first, and how to drive the command from code (pass the result to `runPrune` from
 * `@prune/cli/node`). A bad flag or value throws commander's `CommanderError` (its message names the flag);
 * a contradiction between flags (`--target` with `--ratio`, a data criterion without `--data`) throws a
 * {@link ConfigError} that says what to give instead. `--help` throws a `CommanderError` with exit code 0.
 *
 * @param argv - the arguments as typed after `prune`: the model's folder or model.json, then the flags.
 * @returns The config, every default filled in (`out` defaults to `<model folder>-pruned`).
 *
 * @example
 * ```ts
 * import { parseArgs } from '@prune/cli';
 *
 * const config = parseArgs(['./mobilenet', '--target', 'params=50%', '-q', 'uint8']);
 * console.log(config.target); // { kind: 'params', fraction: 0.5 }
 * console.log(config.out); // './mobilenet-pruned'
 * ```
 */
export function parseArgs(argv: readonly string[]): PruneConfig {
  const program = createProgram().exitOverride();
  program.parse([...argv], { from: 'user' });
  const o = program.opts();
  const model = program.args[0]!;
  const criterion = o.criterion as string;
  if (!isCriterionName(criterion)) throw new ConfigError(`--criterion '${criterion}' is not one of ${CRITERION_NAMES.join(', ')}`);
  const layerRatios = (o.layerRatios as Record<string, number> | undefined) ?? {};
  if (o.target !== undefined && (o.ratio !== undefined || Object.keys(layerRatios).length > 0)) {
    throw new ConfigError(`give either --target or --ratio/--layer-ratios, not both: the target search chooses the ratio`);
  }
  if (o.target === undefined && o.ratio === undefined && Object.keys(layerRatios).length === 0) {
    throw new ConfigError(`say how much to prune: --ratio 0.3 (30% of the channels), --layer-ratios conv1=0.2,… or --target params=50%`);
  }
  if (criterionByName(criterion).requires.length > 0 && o.data === undefined) throw new ConfigError(`--criterion ${criterion} runs the model on data: give --data, or use l1-norm, l2-norm or random`);
  if (o.fineTuneEpochs > 0 && o.data === undefined) throw new ConfigError(`--fine-tune-epochs needs labelled --data to train on`);
  if (o.labels !== undefined && o.data === undefined) throw new ConfigError(`--labels goes with --data (a .npy file of inputs)`);
  const mean = o.mean as number[];
  const std = o.std as number[];
  return {
    model,
    out: (o.out as string | undefined) ?? defaultOut(model),
    criterion,
    strategy: o.strategy as 'uniform' | 'global',
    ...(o.ratio !== undefined ? { ratio: o.ratio as number } : {}),
    layerRatios,
    ...(o.target !== undefined ? { target: o.target as TargetSpec } : {}),
    exclude: (o.exclude as string[] | undefined) ?? [],
    minChannels: o.minChannels as number,
    roundTo: o.roundTo as number,
    ...(o.data !== undefined ? { data: o.data as string } : {}),
    ...(o.labels !== undefined ? { labels: o.labels as string } : {}),
    ...(o.limit !== undefined ? { limit: o.limit as number } : {}),
    preprocess: { ...(o.size !== undefined ? { size: o.size as [number, number] } : {}), scale: o.scale as number, mean, std },
    fineTuneEpochs: o.fineTuneEpochs as number,
    learningRate: o.learningRate as number,
    batchSize: o.batchSize as number,
    ...(o.quantize !== undefined ? { quantize: o.quantize as WeightQuantization } : {}),
    backend: o.backend as PruneConfig['backend'],
    latencyRuns: o.latencyRuns as number,
    ...(o.threads !== undefined ? { threads: o.threads as number } : {}),
    seed: o.seed as number,
    progress: o.progress as PruneConfig['progress'],
  };
}
