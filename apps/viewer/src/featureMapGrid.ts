import { featureMapPixels, type MeanMaps } from '@prune/report';
import { h } from './dom';

/** The grid of mean feature maps, one switch per channel (on = kept, off = pruned in the what-if model). */
export interface FeatureMapGrid {
  element: HTMLElement;
  /** Shows which channels are on and each channel's rank under the chosen criterion (0 = pruned first). */
  update(mask: ArrayLike<number>, ranks: ArrayLike<number>, criterion: string): void;
}

/** Draws one channel's min-max normalised map into a canvas of its own resolution (scaled up by CSS). */
function drawMap(canvas: HTMLCanvasElement, norms: Float32Array, height: number, width: number): void {
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const image = ctx.createImageData(width, height);
  for (let i = 0; i < height * width; i++) {
    const v = Math.round((norms[i] as number) * 255);
    image.data[4 * i] = v;
    image.data[4 * i + 1] = v;
    image.data[4 * i + 2] = v;
    image.data[4 * i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

/**
 * Builds the map grid: each map is drawn gray (black = low, white = high, min-max normalised per map, as the
 * CLI's figure) on a canvas inside a switch button. Arrow keys move between maps, Space or Enter toggles one.
 */
export function featureMapGrid(maps: MeanMaps, onToggle: (channel: number) => void): FeatureMapGrid {
  const [channels, height, width] = maps.mapShape;
  const pixels = featureMapPixels(maps);
  const buttons: HTMLButtonElement[] = [];
  const rankBadges: HTMLElement[] = [];
  const grid = h('div', { class: 'map-grid', role: 'group', 'aria-label': `Channels of ${maps.layer}: switch a channel off or on` });
  for (let c = 0; c < channels; c++) {
    const norms = new Float32Array(height * width);
    for (let i = 0; i < height * width; i++) norms[i] = (pixels[c * height * width + i] as { norm: number }).norm;
    const canvas = h('canvas', { class: 'map-canvas', 'aria-hidden': 'true' });
    drawMap(canvas, norms, height, width);
    const rank = h('span', { class: 'map-rank' });
    rankBadges.push(rank);
    const button = h(
      'button',
      {
        type: 'button',
        class: 'map',
        role: 'switch',
        'aria-checked': 'true',
        'data-channel': c,
        tabindex: c === 0 ? 0 : -1,
        onclick: () => onToggle(c),
      },
      canvas,
      h('span', { class: 'map-number' }, String(c)),
      rank,
      h('span', { class: 'map-off', 'aria-hidden': 'true' }, 'off'),
    );
    buttons.push(button);
    grid.append(button);
  }

  // Roving focus: one tab stop for the whole grid, arrows move within it.
  grid.addEventListener('keydown', (event) => {
    const current = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (current < 0) return;
    const first = buttons[0] as HTMLElement;
    const columns = Math.max(1, buttons.filter((b) => b.offsetTop === first.offsetTop).length);
    const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns, Home: -current, End: channels - 1 - current };
    const step = moves[event.key];
    if (step === undefined) return;
    event.preventDefault();
    const next = Math.min(channels - 1, Math.max(0, current + step));
    focusButton(next);
  });
  const focusButton = (index: number): void => {
    buttons.forEach((b, i) => b.setAttribute('tabindex', i === index ? '0' : '-1'));
    buttons[index]?.focus();
  };
  grid.addEventListener('focusin', (event) => {
    const index = buttons.indexOf(event.target as HTMLButtonElement);
    if (index >= 0) buttons.forEach((b, i) => b.setAttribute('tabindex', i === index ? '0' : '-1'));
  });

  const legend = h(
    'div',
    { class: 'map-legend' },
    h('span', {}, 'low'),
    h('span', { class: 'map-legend-bar', 'aria-hidden': 'true' }),
    h('span', {}, 'high'),
    h('span', { class: 'muted' }, ` mean activation of ${maps.layer} before ReLU${maps.images ? `, over ${maps.images} images` : ''}; each map min-max normalised`),
  );
  const element = h('div', { class: 'maps' }, grid, legend);
  return {
    element,
    update(mask, ranks, criterion) {
      buttons.forEach((button, c) => {
        const on = mask[c] !== 0;
        const rank = (ranks[c] as number) + 1;
        button.setAttribute('aria-checked', String(on));
        button.classList.toggle('is-off', !on);
        button.setAttribute('aria-label', `Channel ${c}, rank ${rank} of ${channels} by ${criterion}`);
        button.title = `Channel ${c}: ${on ? 'on' : 'off'} · rank ${rank}/${channels} by ${criterion} (pruned from K = ${rank})`;
        (rankBadges[c] as HTMLElement).textContent = `#${rank}`;
      });
    },
  };
}
