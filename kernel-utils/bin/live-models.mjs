// Live models for the HTML book: trained weights of a few chapters, run in the reader's browser
// by TensorFlow.js. Each model is rebuilt here with the builder its chapter exports (ku.ch07.
// buildVae, ku.ch10.dcganGenerator), its checkpoint loaded, and saved in tfjs' own layers-model
// format twice: <out>/models/<id>/model.json + weights.bin (for a book served over HTTP, or
// tf.loadLayersModel anywhere) and <out>/assets/live/<id>.js, the same artifacts in a script
// (a page opened from disk may not fetch files next to it; a script it may load).
//
// `exportLiveModels(outDir, {build, mode})` returns the widgets for site.mjs; a chapter whose
// checkpoint is missing (not run yet in that mode) gives no widget, with a line saying so.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { writeAtomic } from './cells.mjs';
import { esc } from './site.mjs';

const require = createRequire(import.meta.url);
const HERE = path.dirname(new URL(import.meta.url).pathname);
const ROOT = path.resolve(HERE, '..', '..');

/** A Layers model's tfjs artifacts: {modelTopology, weightSpecs, weightData}. */
async function artifactsOf(tf, model) {
  let saved = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return saved;
}

/**
 * `assets/live/<id>.js`, a script that sets window.GN_LIVE[id] to `payload` (weights in base64):
 * how a page opened from disk, which may not fetch files, gets a live model. Returns its path.
 */
function writeLiveScript(outDir, id, about, payload) {
  const script = `assets/live/${id}.js`;
  fs.mkdirSync(path.join(outDir, 'assets', 'live'), { recursive: true });
  writeAtomic(
    path.join(outDir, script),
    `// ${about} (tfjs weights in base64)\n` +
      `window.GN_LIVE = window.GN_LIVE || {};\nwindow.GN_LIVE[${JSON.stringify(id)}] = ` +
      `${JSON.stringify(payload)};\n`,
  );
  return script;
}

function writeModel(outDir, id, a, about) {
  const dir = path.join(outDir, 'models', id);
  fs.mkdirSync(dir, { recursive: true });
  const data = Buffer.from(a.weightData);
  writeAtomic(path.join(dir, 'weights.bin'), data);
  const modelJson = {
    format: 'layers-model',
    generatedBy: a.generatedBy ?? 'TensorFlow.js',
    convertedBy: 'generative-notebooks kernel-utils/bin/live-models.mjs',
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
    userDefinedMetadata: about,
  };
  writeAtomic(path.join(dir, 'model.json'), JSON.stringify(modelJson));
  const script = writeLiveScript(outDir, id, `${about.title}: ${about.from}`, {
    modelTopology: a.modelTopology,
    weightSpecs: a.weightSpecs,
    weightData: data.toString('base64'),
    about,
  });
  return { script, bytes: data.length };
}

// the element live.js turns into a widget: its kind, its model, the script holding it, settings
const widgetDiv = (id, kind, model, script, about) =>
  `<div class="live-widget" id="${id}" data-live="${kind}" data-model="${model}" ` +
  `data-script="${script}" data-about="${esc(JSON.stringify(about))}"></div>`;

/** The mode folder of a chapter's checkpoint: `mode` if there, else standard, else quick. */
function checkpointIn(build, chapter, name, mode) {
  for (const m of [mode, 'standard', 'quick'].filter(Boolean)) {
    const dir = path.join(build, 'checkpoints', chapter, m, name);
    if (fs.existsSync(path.join(dir, 'weights.bin'))) return { dir, mode: m };
  }
  return null;
}

/**
 * Export the live models whose checkpoints exist under `build` (default: BOOK_BUILD or build/)
 * into `outDir`; returns the widgets [{id, chapter, chapters, title, html, scripts}].
 */
export async function exportLiveModels(outDir, { build, mode, log = console.log } = {}) {
  build ??= process.env.BOOK_BUILD
    ? path.resolve(process.env.BOOK_BUILD)
    : path.join(ROOT, 'build');
  const tf = require('@tensorflow/tfjs');
  const ku = require('kernel-utils');
  await tf.setBackend('cpu');
  const widgets = [];

  // 07/08: the decoder of the VAE with a 2-D latent space (β = 1), two sliders for z
  const vaeCk = checkpointIn(build, '07-vae-elbo', 'vae-2d-beta1', mode);
  if (vaeCk) {
    const vae = ku.ch07.buildVae(2, ku.ch07.VAE_MLP.perMode.standard.hidden);
    await ku.loadCheckpoint(vaeCk.dir, [vae.encoder, vae.decoder]);
    const about = {
      title: 'Latent explorer',
      from: `chapter 07's 2-D VAE (β = 1, ${vaeCk.mode} mode)`,
      output: 'logits',
    };
    const { script, bytes } = writeModel(
      outDir,
      'vae-2d-decoder',
      await artifactsOf(tf, vae.decoder),
      about,
    );
    vae.encoder.dispose();
    vae.decoder.dispose();
    widgets.push({
      id: 'latent-explorer',
      chapter: '07-vae-elbo',
      chapters: ['07-vae-elbo', '08-latent-space'],
      title: about.title,
      html:
        `<p>The decoder of ${about.from}: drag the two sliders to move the code ` +
        `$z = (z_1, z_2)$ and see the decoded digit $\\sigma(\\text{decoder}(z))$ change. Codes ` +
        `near the origin are where the prior $\\mathcal N(0, I)$ put the training digits.</p>` +
        widgetDiv('latent-explorer-widget', 'latent', 'vae-2d-decoder', script, about),
      scripts: ['assets/live.js'],
      bytes,
    });
  } else log('live models: no checkpoint of 07 (vae-2d-beta1): run chapter 07 for the explorer');

  // 10: the AC-GAN's generator — pick a digit, draw a fresh grid
  const ganCk = checkpointIn(build, '10-gans', 'acgan', mode);
  if (ganCk) {
    const { DCGAN } = ku.ch10;
    const g = ku.ch10.dcganGenerator(DCGAN.latent, DCGAN.width, 10);
    const d = ku.ch10.dcganDiscriminator(DCGAN.width, 0, 10);
    await ku.loadCheckpoint(ganCk.dir, [g, d]);
    const about = {
      title: 'Digit sampler',
      from: `chapter 10's AC-GAN (${ganCk.mode} mode)`,
      output: 'pixels',
      latent: DCGAN.latent,
      classes: 10,
    };
    const { script, bytes } = writeModel(
      outDir,
      'acgan-generator',
      await artifactsOf(tf, g),
      about,
    );
    g.dispose();
    d.dispose();
    widgets.push({
      id: 'digit-sampler',
      chapter: '10-gans',
      chapters: ['10-gans'],
      title: about.title,
      html:
        `<p>The generator of ${about.from}: choose a digit and draw 16 fresh samples ` +
        `$G(z, y)$, $z \\sim \\mathcal N(0, I_{${DCGAN.latent}})$, each press a new $z$.</p>` +
        widgetDiv('digit-sampler-widget', 'sampler', 'acgan-generator', script, about),
      scripts: ['assets/live.js'],
      bytes,
    });
  } else log('live models: no checkpoint of 10 (acgan): run chapter 10 for the sampler');

  // 16: its text-to-image transformer samples 09's VQ-VAE codes for a typed prompt
  const t2iCk = checkpointIn(build, '16-text-to-image', 'text-to-image-transformer', mode);
  const vqCk = t2iCk && checkpointIn(build, '09-discrete-latents', 'vq-vae-restarts', t2iCk.mode);
  if (t2iCk && vqCk?.mode === t2iCk.mode) {
    widgets.push(await exportPromptBox(outDir, ku, t2iCk, vqCk));
  } else log('live models: no checkpoints of 16 and 09 in one mode: run 16 for the prompt box');
  return widgets;
}

/** A checkpoint's weights as they are on disk: the manifest's specs and weights.bin. */
function checkpointWeights(ck) {
  const modelJson = JSON.parse(fs.readFileSync(path.join(ck.dir, 'model.json'), 'utf8'));
  return {
    weightSpecs: modelJson.weightsManifest[0].weights,
    data: fs.readFileSync(path.join(ck.dir, 'weights.bin')),
  };
}

/**
 * Chapters' compiled modules (kernel-utils/dist/chapters/chNN.js, CommonJS) in one script for the
 * page: window.GN_CHAPTERS.load(name) runs one with `require` answering '@tensorflow/tfjs' with
 * the page's tf and '../index' with the few kernel-utils names those chapters use in the browser.
 */
function writeChapterModules(outDir, ku, names) {
  const dist = path.join(path.dirname(require.resolve('kernel-utils')), 'chapters');
  const sources = names.map((n) => {
    const code = fs
      .readFileSync(path.join(dist, `${n}.js`), 'utf8')
      .replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
    return `${JSON.stringify(n)}: function (exports, require, module, setImmediate) {\n${code}}`;
  });
  const js = `// kernel-utils' chapter modules ${names.join(', ')} (the notebooks' @save cells)
(function () {
  var ku = { NUMBER_WORDS: ${JSON.stringify(ku.NUMBER_WORDS)}, PIXELS: ${ku.PIXELS} };
  // progress in the page: the widget sets ku.onProgress(done, total, label)
  ku.Progress = function (label, total) { this.label = label; this.total = total; };
  ku.Progress.prototype.update = function (done) {
    if (ku.onProgress) ku.onProgress(done, this.total, this.label);
  };
  ku.Progress.prototype.finish = function () {};
  var sources = {\n${sources.join(',\n')}\n};
  var loaded = {};
  function load(name) {
    if (loaded[name]) return loaded[name];
    var module = { exports: {} };
    loaded[name] = module.exports;
    var req = function (what) {
      if (what === '@tensorflow/tfjs') return window.tf;
      if (what === '../index') return ku;
      throw new Error('chapter module ' + name + ' requires ' + what + ', which the page lacks');
    };
    sources[name](module.exports, req, module, function (f) { setTimeout(f, 0); });
    ku[name] = module.exports;
    return module.exports;
  }
  window.GN_CHAPTERS = { load: load, ku: ku };
})();
`;
  const script = 'assets/live/chapters.js';
  fs.mkdirSync(path.join(outDir, 'assets', 'live'), { recursive: true });
  writeAtomic(path.join(outDir, script), js);
  return script;
}

/**
 * Chapter 16's prompt box: the transformer's and 09's VQ-VAE's checkpoints, checked against the
 * chapters' builders here, written as models/text-to-image/ (manifest + two .bin files) and as a
 * script, with the chapters' code that samples and decodes (ku.ch16.sampleCodes,
 * ku.ch09.decodeCodes).
 */
async function exportPromptBox(outDir, ku, t2iCk, vqCk) {
  const meta = JSON.parse(fs.readFileSync(path.join(t2iCk.dir, 'meta.json'), 'utf8'));
  const config = meta.config;
  // the builders must accept these weights: a mismatch is an error here, not in a reader's page
  const t2i = ku.ch16.buildTextToImage(config);
  await ku.loadCheckpoint(t2iCk.dir, t2i.params);
  const { K, D, width } = config.vq;
  const vq = ku.ch09.buildGridCodec(K, D, width, D);
  await ku.loadCheckpoint(vqCk.dir, { ...vq.params, codebook: vq.codebook });
  const tf = require('@tensorflow/tfjs');
  tf.dispose([...Object.values(t2i.params), ...Object.values(vq.params), vq.codebook]);
  const about = {
    title: 'Text to image',
    from:
      `chapter 16's text-to-image transformer over chapter 09's VQ-VAE codes ` +
      `(${t2iCk.mode} mode)`,
    sampling: ku.ch16.SAMPLING,
    // the chapter's own example prompt (§5)
    prompt: 'a thick slanted three',
    // images per press, two rows of four: each is 49 passes of the transformer (~10 s for 8 on
    // tfjs' CPU backend, where the browser has no GPU)
    images: 8,
  };
  const attributeWords = Object.values(ku.ch16.ATTRIBUTE_WORDS)
    .map((words) => words.filter(Boolean).join('/'))
    .join(', ');
  const groups = { transformer: checkpointWeights(t2iCk), codec: checkpointWeights(vqCk) };
  const id = 'text-to-image';
  const dir = path.join(outDir, 'models', id);
  fs.mkdirSync(dir, { recursive: true });
  const manifest = { format: 'generative-notebooks-live-weights', about, config, groups: {} };
  const inScript = { about, config, groups: {} };
  for (const [name, g] of Object.entries(groups)) {
    writeAtomic(path.join(dir, `${name}.bin`), g.data);
    manifest.groups[name] = { path: `${name}.bin`, weightSpecs: g.weightSpecs };
    inScript.groups[name] = { weightSpecs: g.weightSpecs, weightData: g.data.toString('base64') };
  }
  writeAtomic(path.join(dir, 'model.json'), JSON.stringify(manifest));
  const script = writeLiveScript(outDir, id, `${about.title}: ${about.from}`, inScript);
  const modules = writeChapterModules(outDir, ku, ['ch09', 'ch16']);
  const bytes = groups.transformer.data.length + groups.codec.data.length;
  return {
    id: 'prompt-box',
    chapter: '16-text-to-image',
    chapters: ['16-text-to-image', '09-discrete-latents'],
    title: about.title,
    html:
      `<p>Type a caption in the chapter's words (${ku.NUMBER_WORDS.length} digit names, ` +
      `${attributeWords}) and draw ${about.images} images: ${about.from} samples the 49 ` +
      `codes one at a time (temperature ${about.sampling.temperature}, ` +
      `top-${about.sampling.topK}), ` +
      `and the VQ-VAE's decoder turns them into pixels.</p>` +
      widgetDiv('prompt-box-widget', 'prompt', id, script, { id, ...about }),
    scripts: [modules, 'assets/live.js'],
    bytes,
  };
}
