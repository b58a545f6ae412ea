import { describe, expect, it } from 'vitest';
import { parseArgs } from '../parseArgs';
import { ConfigError } from './index';
import { parseOrExitCode } from './parseOrExitCode';

/** A stream that keeps what is written to it. */
function sink(): { write(text: string): void; text: string } {
  return {
    text: '',
    write(text) {
      this.text += text;
    },
  };
}

describe('parseOrExitCode: a command parses its arguments or exits 2 with the message', () => {
  it('returns the config of good arguments and writes nothing', () => {
    const err = sink();
    expect(parseOrExitCode(parseArgs, ['net', '--ratio', '0.3'], err)).toMatchObject({ model: 'net', ratio: 0.3 });
    expect(err.text).toBe('');
  });

  it('a ConfigError is printed as `error: <message>` and gives 2; the root entry throws that same class', () => {
    const err = sink();
    expect(parseOrExitCode(parseArgs, ['net'], err)).toBe(2);
    expect(err.text).toBe('error: say how much to prune: --ratio 0.3 (30% of the channels), --layer-ratios conv1=0.2,… or --target params=50%\n');
    const own = () => {
      throw new ConfigError('--config run.json: field \'epochs\': must be ≥ 1');
    };
    expect(parseOrExitCode(own, [], err)).toBe(2);
    expect(err.text).toMatch(/error: --config run\.json: field 'epochs': must be ≥ 1\n$/);
  });

  it("commander's errors give 2 and its help 0, printed by commander itself", () => {
    const err = sink();
    // commander writes its own message; keep the test's output clean
    const write = process.stderr.write.bind(process.stderr);
    const out = process.stdout.write.bind(process.stdout);
    process.stderr.write = (() => true) as typeof process.stderr.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      expect(parseOrExitCode(parseArgs, ['net', '--ratio', '2'], err)).toBe(2);
      expect(parseOrExitCode(parseArgs, ['--help'], err)).toBe(0);
    } finally {
      process.stderr.write = write;
      process.stdout.write = out;
    }
    expect(err.text).toBe('');
  });

  it('anything else is a bug and is thrown, not turned into an exit code', () => {
    const broken = () => {
      throw new TypeError('x is undefined');
    };
    expect(() => parseOrExitCode(broken, [], sink())).toThrow(TypeError);
  });
});
