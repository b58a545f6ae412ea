import { Resvg } from '@resvg/resvg-js';

/** Rasterises an SVG to PNG with DejaVu Sans (Debian's fonts-dejavu-core), at `scale`× the SVG's size. */
export function renderPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}
