// The HTML book's pages: draw each chart live from its vega-lite spec with vega-embed. The PNG
// the kernel rendered stays in the page and is shown only if the live chart cannot be drawn.
(function () {
  'use strict';
  function drawCharts() {
    const charts = document.querySelectorAll('div.chart');
    if (typeof vegaEmbed !== 'function') {
      console.warn('vega-embed is not loaded: charts stay as PNG');
      document.documentElement.dataset.charts = 'done';
      return;
    }
    const drawn = Array.prototype.map.call(charts, function (chart) {
      const specTag = chart.querySelector('script.chart-spec');
      const target = chart.querySelector('.chart-live');
      if (!specTag || !target) return null;
      let spec;
      try {
        spec = JSON.parse(specTag.textContent);
      } catch (e) {
        console.warn('chart ' + chart.id + ': spec is not JSON', e);
        return null;
      }
      return vegaEmbed(target, spec, {
        actions: { export: true, source: false, compiled: false, editor: false },
        renderer: 'svg',
      })
        .then(function () {
          chart.classList.add('live');
          chart.dataset.rendered = 'vega';
        })
        .catch(function (e) {
          chart.dataset.rendered = 'png';
          console.warn('chart ' + chart.id + ' stays a PNG: ' + e.message);
        });
    });
    // the browser test waits for this: every chart drawn or left as its PNG
    Promise.all(drawn).then(function () {
      document.documentElement.dataset.charts = 'done';
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', drawCharts);
  else drawCharts();
})();
