// The inline script of --interactive reports: re-renders each figure from its Vega-Lite spec with
// the inlined vega runtime (hover, tooltips via the title attribute), replacing the static SVG only
// once the live view has rendered. Specs are read from <script type="application/json"> blocks.

/** Plain ES5 so it runs in any browser that opens the file; no network, no storage. */
export const EMBED_SCRIPT = `(function () {
  'use strict';
  var blocks = document.querySelectorAll('script.vl-spec');
  Array.prototype.forEach.call(blocks, function (block) {
    var figure = document.getElementById(block.getAttribute('data-for'));
    if (!figure) return;
    var spec = JSON.parse(block.textContent);
    var holder = document.createElement('div');
    var caption = figure.querySelector('figcaption');
    var done = function () { figure.replaceChildren(holder); if (caption) figure.appendChild(caption); };
    var fail = function (err) { console.warn('pagescope: interactive chart failed, static chart kept:', err); };
    try {
      if (typeof vegaEmbed === 'function') {
        vegaEmbed(holder, spec, { actions: false, renderer: 'svg', loader: { load: function () { return Promise.reject(new Error('no network')); } } }).then(done, fail);
      } else {
        var view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'svg', hover: true, logLevel: vega.Warn });
        view.initialize(holder).runAsync().then(done, fail);
      }
    } catch (err) {
      fail(err);
    }
  });
})();`;
