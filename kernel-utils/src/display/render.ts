/**
 * Headless rendering: vega-lite 5 → vega → SVG (no canvas needed), and SVG → PNG with resvg
 * (a prebuilt binary shipped inside its npm package; it needs system fonts such as DejaVu).
 */
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';

export type VegaLiteSpec = Record<string, unknown>;

/** Compile a vega-lite spec and render it to an SVG string. */
export async function vegaLiteToSvg(spec: VegaLiteSpec): Promise<string> {
  let compiled;
  try {
    compiled = vl.compile(spec as unknown as vl.TopLevelSpec).spec;
  } catch (e) {
    throw new Error(`vega-lite could not compile the chart spec: ${(e as Error).message}`);
  }
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Render SVG to PNG at `scale`× its size, on a white background. */
export function svgToPng(svg: string, scale = 2): Buffer {
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: {
      loadSystemFonts: true,
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
  });
  return r.render().asPng();
}
