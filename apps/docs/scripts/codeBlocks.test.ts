import { describe, expect, it } from 'vitest';
import { MAX_LINE } from './apiDocs';
import { docsPages, readmes, shownLines } from './codeBlocks';

describe('code blocks fit the column', () => {
  it.each([...docsPages(), ...readmes()].map((f) => [f.split('/').slice(-3).join('/'), f]))(
    '%s: no code line over 90 characters (its fenced blocks and included examples)', (_name, file) => {
      const wide = shownLines(file).filter((l) => [...l.text].length > MAX_LINE).map((l) => `${l.where} (${[...l.text].length})`);
      expect(wide).toEqual([]);
    });

  it('sees the included example files, not only fenced blocks', () => {
    const tutorial = docsPages().find((f) => f.endsWith('guide/prune-your-own-model.md'))!;
    const lines = shownLines(tutorial);
    expect(lines.some((l) => l.where.includes('examples/tutorial/pruneYourOwnModel.ts') && l.text.includes('pruneModel(model'))).toBe(true);
  });
});
