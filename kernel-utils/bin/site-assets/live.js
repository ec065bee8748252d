// The live models of the HTML book: chapters' trained weights (written by live-models.mjs in
// tfjs' layers-model format) run in this page by TensorFlow.js, on WebGL
// where the browser offers it, else on the CPU. Each widget element (data-live="…") gets
// bookLiveReady (a promise), bookLiveImage() (the pixels it shows, in [0, 1]) and
// bookLiveInteract() (moves its control, as the browser test does).
(function () {
  'use strict';
  var SIDE = 28;

  // from disk, where a page may not fetch files next to it, a model's artifacts come in a script
  // (data-script) that sets window.GN_LIVE[id]
  function loadScript(el) {
    var id = el.dataset.model;
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
      return a;
    });
  }

  function base64Bytes(text) {
    var raw = atob(text);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  var overHttp = /^https?:$/.test(location.protocol);

  // a layers model: over HTTP its own files (models/<id>/model.json), from disk its script
  function loadModel(el) {
    if (overHttp) return tf.loadLayersModel('models/' + el.dataset.model + '/model.json');
    return loadScript(el).then(function (a) {
      return tf.loadLayersModel(
        tf.io.fromMemory({
          modelTopology: a.modelTopology,
          weightSpecs: a.weightSpecs,
          weightData: base64Bytes(a.weightData).buffer,
        }),
      );
    });
  }

  // named groups of weights for a chapter's own model code (not a layers model): {config, about,
  // groups: {name: {weightSpecs, data: ArrayBuffer}}}, over HTTP from models/<id>/model.json
  function loadWeightGroups(el) {
    var base = 'models/' + el.dataset.model + '/';
    return !overHttp
      ? loadScript(el).then(function (a) {
          Object.keys(a.groups).forEach(function (g) {
            a.groups[g].data = base64Bytes(a.groups[g].weightData).buffer;
          });
          return a;
        })
      : fetch(base + 'model.json')
          .then(function (r) {
            return r.json();
          })
          .then(function (m) {
            return Promise.all(
              Object.keys(m.groups).map(function (g) {
                return fetch(base + m.groups[g].path)
                  .then(function (r) {
                    return r.arrayBuffer();
                  })
                  .then(function (data) {
                    m.groups[g].data = data;
                  });
              }),
            ).then(function () {
              return m;
            });
          });
  }

  // set every variable of `target` (name → tf.Variable) from a group's weights, by name
  function assignWeights(target, group, what) {
    var named = tf.io.decodeWeights(group.data, group.weightSpecs);
    Object.keys(target).forEach(function (k) {
      if (!named[k]) throw new Error(what + ': the exported weights have no ' + k);
      target[k].assign(named[k]);
    });
    tf.dispose(Object.values(named));
  }

  // WebGL that the browser draws in software (SwiftShader, llvmpipe: no GPU, or headless) is
  // slower than tfjs' plain CPU backend on these small models, as a software WebGPU adapter is in
  // the notebooks: it is passed over. Returns the software renderer's name (or null).
  function softwareWebgl() {
    var gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return null;
    var info = gl.getExtension('WEBGL_debug_renderer_info');
    var name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    var match = /swiftshader|llvmpipe|lavapipe|software/i.exec(name);
    return match ? match[0] : null;
  }

  var backendReady = null;
  // once per page: the backend's name in words, webgl on a GPU, else the CPU backend
  function chooseBackend() {
    if (backendReady) return backendReady;
    var software = softwareWebgl();
    backendReady = (software ? Promise.resolve(false) : tf.setBackend('webgl'))
      .catch(function () {
        return false;
      })
      .then(function (ok) {
        if (ok) return 'webgl';
        return tf.setBackend('cpu').then(function () {
          return software ? 'cpu (WebGL here is software: ' + software + ')' : 'cpu';
        });
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

  // chapter 16: a typed caption, about.images images: ku.ch16.sampleCodes draws the 49 codes of
  // each from the transformer, ku.ch09.decodeCodes turns them into pixels (the chapters' own code)
  function promptBox(el, live, about) {
    var N = about.images; // two rows
    var ch09 = window.GN_CHAPTERS.load('ch09');
    var ch16 = window.GN_CHAPTERS.load('ch16');
    var t2i = ch16.buildTextToImage(live.config);
    assignWeights(t2i.params, live.groups.transformer, 'the transformer');
    var vq = live.config.vq;
    var codec = ch09.buildGridCodec(vq.K, vq.D, vq.width, vq.D);
    var codecVars = Object.assign({ codebook: codec.codebook }, codec.params);
    assignWeights(codecVars, live.groups.codec, "09's VQ-VAE");
    var controls = addElement(el, 'div', 'live-controls');
    var input = document.createElement('input');
    input.type = 'text';
    input.value = about.prompt;
    input.size = 28;
    input.setAttribute('aria-label', 'prompt');
    var button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'draw ' + N + ' images';
    controls.append(input, button);
    var status = addElement(el, 'p', 'live-status');
    var canvas = digitCanvas(el, N / 2, 2, 2.5);
    status.textContent = 'type a caption and press draw (each image takes 49 passes of the model)';
    var busy = Promise.resolve();
    function draw() {
      busy = busy.then(function () {
        var tokens;
        try {
          tokens = ch16.tokenize(input.value);
        } catch (e) {
          status.textContent = e.message;
          return;
        }
        var t0 = performance.now();
        window.GN_CHAPTERS.ku.onProgress = function (done, total) {
          status.textContent = 'sampling code ' + done + ' of ' + total + '…';
        };
        var rows = [];
        for (var i = 0; i < N; i++) rows.push(tokens);
        var captions = tf.tensor2d(rows, [N, tokens.length], 'int32');
        return ch16.sampleCodes(t2i, captions, about.sampling).then(function (codes) {
          captions.dispose();
          var images = ch09.decodeCodes(codec, codes);
          codes.dispose();
          return images.data().then(function (pixels) {
            images.dispose();
            canvas.draw(pixels);
            var seconds = ((performance.now() - t0) / 1000).toFixed(1);
            status.textContent =
              '“' + ch16.detokenize(tokens) + '”: ' + N + ' images in ' + seconds + ' s';
          });
        });
      });
      return busy;
    }
    button.addEventListener('click', draw);
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Enter') draw();
    });
    el.bookLiveImage = canvas.pixels;
    el.bookLiveInteract = function () {
      input.value = 'a thin upright seven';
      return draw();
    };
  }

  // each kind: how its weights load, and the widget made from them
  var KINDS = {
    latent: { load: loadModel, make: latentExplorer },
    sampler: { load: loadModel, make: sampler },
    prompt: { load: loadWeightGroups, make: promptBox },
  };

  function start() {
    document.querySelectorAll('[data-live]').forEach(function (el) {
      var kind = KINDS[el.dataset.live];
      var id = el.dataset.model;
      var about = JSON.parse(el.dataset.about || '{}');
      el.bookLiveReady = chooseBackend().then(function (backend) {
        return kind
          .load(el)
          .then(function (model) {
            return kind.make(el, model, about);
          })
          .then(function () {
            var where = location.protocol === 'file:' ? ', from disk' : '';
            addElement(el, 'p', 'live-note').textContent = 'running on tfjs ' + backend + where;
          })
          .catch(function (e) {
            el.textContent = 'This live model could not start: ' + e.message;
            console.error('live model ' + id + ': ' + e.message);
            throw e;
          });
      });
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
