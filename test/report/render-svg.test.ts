import assert from 'node:assert/strict';
import { pageStripSpec } from '../../report/charts/page-strip.js';
import { binSegments } from '../../report/page-states.js';
import { renameIds, renderSvg } from '../../report/render-svg.js';

describe('report/render-svg', () => {
  it('renames ids in order of appearance and rewrites their references', () => {
    const svg =
      '<svg><clipPath id="clip7"><rect/></clipPath><g clip-path="url(#clip7)"/><linearGradient id="gradient_3"/><rect fill="url(#gradient_3)"/><use href="#clip7"/></svg>';
    assert.equal(
      renameIds(svg, 'c1-'),
      '<svg><clipPath id="c1-1"><rect/></clipPath><g clip-path="url(#c1-1)"/><linearGradient id="c1-2"/><rect fill="url(#c1-2)"/><use href="#c1-1"/></svg>',
    );
  });

  it('renders the same spec to the same SVG every time', async () => {
    const spec = pageStripSpec(
      binSegments(
        [
          { start: 0, end: 5, state: 'mapped' },
          { start: 5, end: 9, state: 'swapped' },
        ],
        9,
        100,
      ),
      9,
      'file page',
    );
    const a = await renderSvg(spec, 'c1-');
    const b = await renderSvg(spec, 'c1-');
    assert.equal(a, b);
    assert.match(a, /^<svg /);
    assert.match(a, /#c3362b/, 'swapped pages are drawn in the swapped colour');
  });

  it('refuses a spec vega-lite warns about instead of drawing a wrong chart', async () => {
    // shape is not a channel of bar marks: vega-lite drops it with a warning.
    await assert.rejects(
      renderSvg(
        {
          data: { values: [{ a: 1 }] },
          mark: 'bar',
          encoding: { x: { field: 'a', type: 'quantitative' }, shape: { field: 'a', type: 'nominal' } },
        },
        'c1-',
      ),
      /chart c1-: warning: .*shape/,
    );
  });
});
