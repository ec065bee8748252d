// The live models of the HTML book: chapters' trained weights (written by live-models.mjs in
// tfjs' layers-model format) run in this page by TensorFlow.js, on WebGL
// where the browser offers it, else on the CPU. Each widget element (data-live="…") gets
// bookLiveReady (a promise), bookLiveImage() (the pixels it shows, in [0, 1]) and
// bookLiveInteract() (moves its control, as the browser test does).
(function () {
  'use strict';
  var SIDE = 28;

  // over HTTP the model's own files (models/<id>/model.json, tfjs' layers-model format); from disk,
  // where a page may not fetch files next to it, the same artifacts in a script (data-script)
  function loadModel(el) {
    var id = el.dataset.model;
    if (/^https?:$/.test(location.protocol))
      return tf.loadLayersModel('models/' + id + '/model.json');
    return new Promise(function (resolve, reject) {
      var tag = document.createElement('script');
      tag.src = el.dataset.script;
      tag.onload = resolve;
      tag.onerror = function () {
        reject(new Error('could not load ' + el.dataset.script));
      };
      document.head.appendChild(tag);
    }).then(function () {
      var a = window.GN_LIVE && window.GN_LIVE[id];
      if (!a) throw new Error(el.dataset.script + ' did not define live model ' + id);
      var raw = atob(a.weightData);
      var bytes = new Uint8Array(raw.length);
      for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
      return tf.loadLayersModel(
        tf.io.fromMemory({
          modelTopology: a.modelTopology,
          weightSpecs: a.weightSpecs,
          weightData: bytes.buffer,
        }),
      );
    });
  }

  var backendReady = null;
  function chooseBackend() {
    backendReady =
      backendReady ||
      tf
        .setBackend('webgl')
        .catch(function () {
          return false;
        })
        .then(function (ok) {
          return ok ? 'webgl' : tf.setBackend('cpu').then(() => 'cpu');
        });
    return backendReady;
  }

  // a canvas showing `cols`×`rows` digits of 28×28 grey values, scaled up crisply
  function digitCanvas(el, cols, rows, scale) {
    var c = document.createElement('canvas');
    c.width = cols * SIDE;
    c.height = rows * SIDE;
    c.style.width = cols * SIDE * scale + 'px';
    c.style.height = rows * SIDE * scale + 'px';
    c.className = 'live-canvas';
    el.appendChild(c);
    var shown = new Float32Array(cols * rows * SIDE * SIDE);
    return {
      // values: n×28×28 in [0, 1], digit k at column k % cols, row ⌊k / cols⌋
      draw: function (values) {
        var ctx = c.getContext('2d');
        var img = ctx.createImageData(c.width, c.height);
        for (var k = 0; k < cols * rows; k++) {
          var ox = (k % cols) * SIDE;
          var oy = Math.floor(k / cols) * SIDE;
          for (var y = 0; y < SIDE; y++)
            for (var x = 0; x < SIDE; x++) {
              var v = values[k * SIDE * SIDE + y * SIDE + x];
              var p = 4 * ((oy + y) * c.width + ox + x);
              var g = Math.round(255 * (1 - Math.min(1, Math.max(0, v))));
              img.data[p] = img.data[p + 1] = img.data[p + 2] = g;
              img.data[p + 3] = 255;
              shown[(oy + y) * c.width + ox + x] = v;
            }
        }
        ctx.putImageData(img, 0, 0);
      },
      pixels: function () {
        return Array.prototype.slice.call(shown);
      },
    };
  }

  function addElement(parent, tag, className) {
    var e = document.createElement(tag);
    e.className = className;
    parent.appendChild(e);
    return e;
  }

  function slider(el, label, min, max, value) {
    var wrap = document.createElement('label');
    wrap.className = 'live-slider';
    var input = document.createElement('input');
    input.type = 'range';
    input.min = min;
    input.max = max;
    input.step = 0.05;
    input.value = value;
    var out = document.createElement('output');
    wrap.append(label + ' ', input, out);
    el.appendChild(wrap);
    var show = function () {
      out.textContent = Number(input.value).toFixed(2);
    };
    input.addEventListener('input', show);
    show();
    return input;
  }

  // what every widget shares: `render` (inside tf.tidy) gives the pixels its canvas shows, drawn
  // now and on each `draw()`; `interact` moves its control as a reader would (the browser test)
  function wire(el, canvas, render, interact) {
    function draw() {
      canvas.draw(tf.tidy(render));
    }
    draw();
    el.bookLiveImage = canvas.pixels;
    el.bookLiveInteract = function () {
      interact();
      return Promise.resolve();
    };
    return draw;
  }

  // chapter 07's 2-D VAE decoder: two sliders move z, the digit is σ(decoder(z))
  function latentExplorer(el, model) {
    var canvas = digitCanvas(el, 1, 1, 6);
    var controls = addElement(el, 'div', 'live-controls');
    var z1 = slider(controls, 'z₁', -3, 3, -0.5);
    var z2 = slider(controls, 'z₂', -3, 3, 0.5);
    var draw = wire(
      el,
      canvas,
      function () {
        var z = tf.tensor2d([[Number(z1.value), Number(z2.value)]]);
        return model.predict(z).sigmoid().dataSync();
      },
      function () {
        z1.value = 1.5;
        z2.value = -1.2;
        z1.dispatchEvent(new Event('input'));
        z2.dispatchEvent(new Event('input'));
      },
    );
    z1.addEventListener('input', draw);
    z2.addEventListener('input', draw);
  }

  // chapter 10's AC-GAN generator: pick a digit, each press draws 16 new samples G(z, y)
  function sampler(el, model, about) {
    var controls = addElement(el, 'div', 'live-controls');
    var pick = document.createElement('select');
    for (var d = 0; d < about.classes; d++) pick.add(new Option('digit ' + d, String(d)));
    pick.value = '7';
    var button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'draw 16 samples';
    controls.append(pick, button);
    var draw = wire(
      el,
      digitCanvas(el, 4, 4, 2.5),
      function () {
        var z = tf.randomNormal([16, about.latent]);
        var y = tf.oneHot(tf.fill([16], Number(pick.value), 'int32'), about.classes).toFloat();
        return model.predict([z, y]).dataSync();
      },
      function () {
        button.click();
      },
    );
    button.addEventListener('click', draw);
    pick.addEventListener('change', draw);
  }

  var KINDS = { latent: latentExplorer, sampler: sampler };

  function start() {
    document.querySelectorAll('[data-live]').forEach(function (el) {
      var kind = KINDS[el.dataset.live];
      var id = el.dataset.model;
      var about = JSON.parse(el.dataset.about || '{}');
      el.bookLiveReady = chooseBackend()
        .then(function (backend) {
          return loadModel(el).then(function (model) {
            kind(el, model, about);
            var where = location.protocol === 'file:' ? ', from disk' : '';
            addElement(el, 'p', 'live-note').textContent = 'running on tfjs ' + backend + where;
          });
        })
        .catch(function (e) {
          el.textContent = 'This live model could not start: ' + e.message;
          console.error('live model ' + id + ': ' + e.message);
          throw e;
        });
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
