import { parse, View, type TooltipHandler } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { toVegaSpec } from '@prune/report';

let tooltipEl: HTMLDivElement | undefined;

function tooltipElement(): HTMLDivElement {
  if (!tooltipEl) {
    tooltipEl = document.createElement('div');
    tooltipEl.className = 'chart-tooltip';
    tooltipEl.setAttribute('role', 'tooltip');
    tooltipEl.hidden = true;
    document.body.append(tooltipEl);
  }
  return tooltipEl;
}

/** Shows a chart mark's tooltip fields as a small table next to the pointer. */
const showTooltip: TooltipHandler = (_handler, event, _item, value) => {
  const el = tooltipElement();
  if (value === undefined || value === null || value === '') {
    el.hidden = true;
    return;
  }
  el.replaceChildren();
  if (typeof value === 'object') {
    const table = document.createElement('table');
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const row = table.insertRow();
      row.insertCell().textContent = key;
      row.insertCell().textContent = String(v);
    }
    el.append(table);
  } else {
    el.textContent = String(value);
  }
  el.hidden = false;
  const pad = 14;
  const { innerWidth, innerHeight } = window;
  const box = el.getBoundingClientRect();
  let x = event.clientX + pad;
  let y = event.clientY + pad;
  if (x + box.width > innerWidth - 4) x = Math.max(4, event.clientX - pad - box.width);
  if (y + box.height > innerHeight - 4) y = Math.max(4, event.clientY - pad - box.height);
  el.style.left = `${x}px`;
  el.style.top = `${y}px`;
};

/**
 * Renders a Vega-Lite spec (from @prune/report, the same spec the CLI rasterises) into `container` as SVG with
 * hover tooltips; the returned view is finalised by the caller before re-rendering.
 */
export async function renderChart(container: HTMLElement, spec: TopLevelSpec): Promise<View> {
  const view = new View(parse(toVegaSpec(spec)), {
    renderer: 'svg',
    container,
    hover: true,
    tooltip: showTooltip,
    // Every chart carries its data inline: the page makes no request for chart data.
    logLevel: 1,
  });
  await view.runAsync();
  // Screen readers get the container's text summary (its aria-label); vega's per-mark SVG groups carry no names.
  container.querySelector('svg')?.setAttribute('aria-hidden', 'true');
  return view;
}
