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
  const js =
    `// ${about.title}: ${about.from} (tfjs layers-model artifacts, weights in base64)\n` +
    `window.GN_LIVE = window.GN_LIVE || {};\nwindow.GN_LIVE[${JSON.stringify(id)}] = ` +
    JSON.stringify({
      modelTopology: a.modelTopology,
      weightSpecs: a.weightSpecs,
      weightData: data.toString('base64'),
      about,
    }) +
    ';\n';
  const script = `assets/live/${id}.js`;
  fs.mkdirSync(path.join(outDir, 'assets', 'live'), { recursive: true });
  writeAtomic(path.join(outDir, script), js);
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
  return widgets;
}
