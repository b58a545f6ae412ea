// The pruning-groups page's diagram: the graph of the docs' residual block (examples/pruningGroups.ts) with its
// groups as @prune/core's channelGroups finds them. Data flows down; each edge is coloured by the groups whose channels it carries,
// sources and consumers are tagged, and the legend lists each group, so the picture is the library's own answer
// and changes when it does.
//   pnpm --filter @prune/docs exec tsx --conditions=@prune/source scripts/figures/groupsFigure.ts
import '@tensorflow/tfjs-backend-cpu';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setBackend } from '@tensorflow/tfjs-core';
import { channelGroups, type ChannelGroup } from '@prune/core';
import { residualBlock } from '../../examples/pruningGroups';
import { figuresDir } from './publishedRun';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2'];
const NODE = { width: 250, height: 28, rowGap: 18, x: 24 };
const WIDTH = 660;
/** The charts' font (DejaVu Sans, which the experiment's PNGs use), then the browser's. */
const FONT = 'DejaVu Sans, Verdana, sans-serif';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const text = (x: number, y: number, s: string, attrs = '') => `<text x="${x}" y="${y}" ${attrs}>${esc(s)}</text>`;

/** Breaks a sentence into lines of at most `max` characters, at spaces. */
function wrap(s: string, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of s.split(' ')) {
    if (line && line.length + 1 + word.length > max) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

await setBackend('cpu');
const model = residualBlock();
const { graph, groups, refused } = channelGroups(model);
const color = new Map<ChannelGroup, string>(groups.map((g, i) => [g, COLORS[i % COLORS.length]!]));
// The groups whose channels each value carries: those of which its producer is a source or a layer on the path.
const carries = (value: number) => {
  const op = graph.producer[value]!;
  return groups.filter((g) => [...g.sources, ...g.path].some((m) => m.applications.some((a) => a.op === op)));
};
const role = (op: number, members: (g: ChannelGroup) => ChannelGroup['sources']) =>
  groups.filter((g) => members(g).some((m) => m.applications.some((a) => a.op === op)));

// Rows: the model input, then the ops in the graph's topological order (the block is one chain with skips).
const rowOf = (op: number) => op + 1;
const yOf = (row: number) => 16 + row * (NODE.height + NODE.rowGap);
const parts: string[] = [];
const edge = (from: number, to: number, value: number) => {
  const along = carries(value);
  const strokes = along.length > 0 ? along.map((g) => color.get(g)!) : ['#999'];
  const y0 = yOf(from) + NODE.height;
  const y1 = yOf(to);
  strokes.forEach((stroke, i) => {
    const dx = (i - (strokes.length - 1) / 2) * 4;
    if (to === from + 1) {
      parts.push(`<line x1="${NODE.x + NODE.width / 2 + dx}" y1="${y0}" x2="${NODE.x + NODE.width / 2 + dx}" y2="${y1}" stroke="${stroke}" stroke-width="2.5"/>`);
    } else {
      // A skip: out of the right side and back in, further out the longer it is.
      const out = NODE.x + NODE.width + 14 + (to - from) * 5 + dx;
      const a = yOf(from) + NODE.height / 2 + dx;
      const b = yOf(to) + NODE.height / 2 + dx;
      parts.push(`<path d="M${NODE.x + NODE.width} ${a} C${out} ${a} ${out} ${b} ${NODE.x + NODE.width} ${b}" fill="none" stroke="${stroke}" stroke-width="2.5"/>`);
    }
  });
};
for (const op of graph.ops) {
  op.inputs.forEach((value) => {
    const producer = graph.producer[value]!;
    edge(producer < 0 ? 0 : rowOf(producer), rowOf(op.index), value);
  });
}
const node = (row: number, label: string, className: string, tags: { text: string; color: string }[]) => {
  const y = yOf(row);
  parts.push(`<rect x="${NODE.x}" y="${y}" width="${NODE.width}" height="${NODE.height}" rx="5" fill="#fff" stroke="#444"/>`);
  parts.push(text(NODE.x + 10, y + 18, label, 'font-weight="bold" font-size="12"'));
  parts.push(text(NODE.x + NODE.width - 10, y + 18, className, 'font-size="11" fill="#555" text-anchor="end"'));
  let x = NODE.x + NODE.width + 64;
  for (const tag of tags) {
    parts.push(text(x, y + 18, tag.text, `font-size="11" fill="${tag.color}"`));
    x += tag.text.length * 6.4 + 10;
  }
};
node(0, 'image', 'input', []);
for (const op of graph.ops) {
  const tags = [
    ...role(op.index, (g) => g.sources).map((g) => ({ text: `source of ${g.id}`, color: color.get(g)! })),
    ...role(op.index, (g) => g.consumers).map((g) => ({ text: `reads ${g.id}`, color: color.get(g)! })),
    ...refused.filter((r) => r.layer === op.path).map(() => ({ text: 'refused', color: '#777' })),
  ];
  node(rowOf(op.index), op.path, op.layer.getClassName(), tags);
}

// The legend: one entry per group, as channelGroups reports it.
let y = yOf(graph.ops.length + 1) + 8;
for (const g of groups) {
  const coupled = g.couplings.length > 0 ? ` (coupled by ${g.couplings.join(', ')})` : '';
  const lines = wrap(`${g.id}: ${g.channels} channels. Sources ${g.sources.map((m) => m.path).join(', ')}${coupled}; consumers ${g.consumers.map((m) => m.path).join(', ')}.`, 88);
  parts.push(`<rect x="${NODE.x}" y="${y - 10}" width="14" height="12" fill="${color.get(g)}"/>`);
  lines.forEach((line, i) => parts.push(text(NODE.x + 22, y + i * 15, line, 'font-size="12"')));
  y += lines.length * 15 + 8;
}
for (const r of refused) {
  const lines = wrap(`refused ${r.layer}: ${r.reason}`, 88);
  lines.forEach((line, i) => parts.push(text(NODE.x + 22, y + i * 15, line, 'font-size="12" fill="#555"')));
  y += lines.length * 15 + 8;
}
const svg = [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y + 4}" viewBox="0 0 ${WIDTH} ${y + 4}" font-family="${FONT}">`,
  `<rect width="${WIDTH}" height="${y + 4}" fill="#fff"/>`,
  ...parts,
  '</svg>',
].join('\n');
mkdirSync(figuresDir, { recursive: true });
const file = join(figuresDir, 'pruning-groups.svg');
writeFileSync(file, `${svg}\n`);
model.dispose();
console.log(`wrote ${file}: ${groups.length} groups, ${refused.length} refused`);
