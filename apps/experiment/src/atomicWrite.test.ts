import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removePendingSync, removeStaleTemporaries, trackTemporary, writeDirAtomic, writeFileAtomic, writeJsonAtomic } from './atomicWrite.js';

describe('atomic writes', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'prune-atomic-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces a file in one rename and leaves no temporary behind', async () => {
    const file = join(dir, 'a.json');
    writeFileSync(file, 'old');
    await writeJsonAtomic(file, { x: 1 });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ x: 1 });
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it('keeps the old file when the write fails', async () => {
    const file = join(dir, 'missing-folder', 'a.txt');
    await expect(writeFileAtomic(file, 'x')).rejects.toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('builds a folder aside and renames it into place; a failing fill leaves nothing', async () => {
    const target = join(dir, 'model');
    await writeDirAtomic(target, async (temp) => writeFileSync(join(temp, 'w.bin'), 'v1'));
    expect(readFileSync(join(target, 'w.bin'), 'utf8')).toBe('v1');
    await expect(
      writeDirAtomic(target, async (temp) => {
        writeFileSync(join(temp, 'w.bin'), 'half');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(readFileSync(join(target, 'w.bin'), 'utf8')).toBe('v1');
    expect(readdirSync(dir)).toEqual(['model']);
    // keepExisting: an entry written meanwhile by another run stays.
    expect(await writeDirAtomic(target, async (temp) => writeFileSync(join(temp, 'w.bin'), 'v2'), { keepExisting: true })).toBe(false);
    expect(readFileSync(join(target, 'w.bin'), 'utf8')).toBe('v1');
    expect(readdirSync(dir)).toEqual(['model']);
  });

  it('removes tracked temporaries on demand (the Ctrl-C path)', () => {
    const partial = join(dir, '.run.partial-1');
    mkdirSync(partial);
    writeFileSync(join(partial, 'results.json'), '{');
    trackTemporary(partial);
    expect(removePendingSync()).toEqual([partial]);
    expect(existsSync(partial)).toBe(false);
  });

  it('removes only temporaries whose process is gone', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    mkdirSync(join(dir, `.r1.partial-${dead}`));
    writeFileSync(join(dir, `.weights.bin.tmp-${dead}-abcd`), 'x');
    mkdirSync(join(dir, `.r2.partial-${process.pid}`));
    writeFileSync(join(dir, 'results.json'), '{}');
    expect((await removeStaleTemporaries(dir)).sort()).toEqual([`.r1.partial-${dead}`, `.weights.bin.tmp-${dead}-abcd`]);
    expect(readdirSync(dir).sort()).toEqual([`.r2.partial-${process.pid}`, 'results.json']);
  });
});

/** A 1 MB tmpfs, where a write fails with ENOSPC as on a full disk; null when this user cannot mount one. */
function smallDisk(): { dir: string; unmount: () => void } | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'prune-full-'));
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]).status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return { dir, unmount: () => (spawnSync('umount', [dir]), rmSync(dir, { recursive: true, force: true })) };
}

describe('a full disk', () => {
  const disk = smallDisk();
  it.skipIf(disk === null)('names the file that could not be written, and leaves no temporary', async () => {
    const { dir, unmount } = disk as NonNullable<typeof disk>;
    try {
      const file = join(dir, 'features.f32');
      await expect(writeFileAtomic(file, new Uint8Array(2 << 20))).rejects.toThrow(`cannot write ${file}: ENOSPC: no space left on device`);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      unmount();
    }
  });
});
