// Chapter 16's pieces, on the chapter's own code (ku.ch16, exported from its // @save cells): the
// causal mask (a later token never moves an earlier logit), the tokenizer's round trip and its
// errors, top-k's candidates, the captions' thirds, the loss's target alignment and the sampler.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ku, tf } from '../helpers.mjs';

const c = ku.ch16;
const small = () =>
  c.buildTextToImage({
    dim: 16,
    layers: 2,
    heads: 4,
    textVocab: c.TEXT_VOCABULARY.length,
    codes: 8,
    captionTokens: 4,
    imageTokens: 6,
  });

test('the causal mask: changing token j leaves the logits before j unchanged, moves those after', () => {
  const m = small();
  const V = m.textVocab + m.codes;
  const rng = new ku.Rng(3);
  const seq = Array.from({ length: m.positions }, () => rng.int(V));
  for (const j of [0, 4, m.positions - 1]) {
    const changed = seq.map((t, i) => (i === j ? (t + 1) % V : t));
    const [a, b] = [seq, changed].map((s) =>
      tf.tidy(() => c.textToImageLogits(m, tf.tensor2d([s], undefined, 'int32')).arraySync()[0]),
    );
    for (let i = 0; i < m.positions; i++) {
      const gap = Math.max(...a[i].map((v, k) => Math.abs(v - b[i][k])));
      if (i < j) assert.equal(gap, 0, `position ${i} saw token ${j}`);
      else assert.ok(gap > 1e-6, `position ${i} ignores token ${j} (gap ${gap})`);
    }
  }
  const mask = c.causalMask(3).arraySync();
  assert.deepEqual(mask, [
    [0, -1e9, -1e9],
    [0, 0, -1e9],
    [0, 0, 0],
  ]);
  tf.dispose(Object.values(m.params));
});

test('causalSelfAttention: the first position attends only to itself (its output is W_O v₁)', () => {
  const [d, heads] = [8, 2];
  const x = tf.randomNormal([2, 5, d]);
  const wQkv = tf.randomNormal([d, 3 * d]);
  const wO = tf.randomNormal([d, d]);
  const out = c.causalSelfAttention(x, wQkv, wO, heads);
  const first = tf.tidy(() =>
    x
      .slice([0, 0, 0], [2, 1, d])
      .reshape([2, d])
      .matMul(wQkv.slice([0, 2 * d], [d, d]))
      .matMul(wO),
  );
  const gap = tf.tidy(
    () => out.slice([0, 0, 0], [2, 1, d]).reshape([2, d]).sub(first).abs().max().dataSync()[0],
  );
  assert.ok(gap < 1e-5, `gap ${gap}`);
  assert.deepEqual(out.shape, [2, 5, d]);
  tf.dispose([x, wQkv, wO, out, first]);
});

test('tokenize and detokenize round-trip every caption; bad prompts name the problem', () => {
  for (let t = 0; t < 3; t++)
    for (let s = 0; s < 3; s++)
      for (let digit = 0; digit < 10; digit++) {
        const tokens = c.captionTokens(t, s, digit);
        const text = c.detokenize(tokens);
        assert.deepEqual(c.tokenize(text), tokens, text);
      }
  assert.equal(c.detokenize(c.captionTokens(2, 2, 7)), 'a thick slanted seven');
  assert.equal(c.detokenize(c.captionTokens(1, 1, 8)), 'an eight');
  assert.equal(c.detokenize(c.captionTokens(1, 0, 1)), 'an upright one');
  assert.equal(c.detokenize(c.captionTokens(1, 1, 1)), 'a one');
  assert.deepEqual(c.tokenize('A Thick, SLANTED seven!'), c.tokenize('a thick slanted seven'));
  assert.throws(
    () => c.tokenize('a purple seven'),
    /"purple" is not in the vocabulary \(a, an, thin/,
  );
  assert.throws(() => c.tokenize('a thick thin seven'), /"thin" repeats a thickness/);
  assert.throws(() => c.tokenize('a seven eight'), /"eight" repeats a digit/);
  assert.throws(() => c.tokenize('a thick slanted'), /no digit named/);
  assert.throws(() => c.tokenize('a <bos> seven'), /not in the vocabulary/);
});

test('topKFilter keeps exactly k candidates, the k largest; sampling draws only those', () => {
  const rng = new ku.Rng(1);
  const rows = Array.from({ length: 4 }, () => Array.from({ length: 20 }, () => rng.normal()));
  const logits = tf.tensor2d(rows);
  for (const k of [1, 5, 20]) {
    const kept = c.topKFilter(logits, k).arraySync();
    kept.forEach((row, i) => {
      const alive = row.map((v, j) => (v > -1e8 ? j : -1)).filter((j) => j >= 0);
      assert.equal(alive.length, k);
      const best = rows[i]
        .map((v, j) => [v, j])
        .sort((a, b) => b[0] - a[0])
        .slice(0, k);
      assert.deepEqual(
        alive.sort((a, b) => a - b),
        best.map((p) => p[1]).sort((a, b) => a - b),
      );
    });
  }
  const draws = tf.tidy(() => tf.multinomial(c.topKFilter(logits, 3), 200).arraySync());
  const allowed = rows.map((r) =>
    r
      .map((v, j) => [v, j])
      .sort((a, b) => b[0] - a[0])
      .slice(0, 3)
      .map((p) => p[1]),
  );
  draws.forEach((row, i) =>
    assert.ok(
      row.every((j) => allowed[i].includes(j)),
      `row ${i}`,
    ),
  );
  assert.throws(() => c.topKFilter(logits, 0), /k = 0 must be an integer from 1 to 20/);
  assert.throws(() => c.topKFilter(logits, 21), /k = 21/);
  logits.dispose();
});

test('attributeCuts and tercile: thirds of each class; captionOf says only the outer thirds', () => {
  const attrs = [];
  const labels = [];
  for (let cls = 0; cls < 10; cls++)
    for (let i = 0; i < 30; i++) {
      attrs.push({ thickness: 100 * cls + i, slant: -i / 10 });
      labels.push(cls);
    }
  const cuts = c.attributeCuts(attrs, labels);
  assert.equal(cuts.length, 10);
  // each class's 30 values split 10 / 10 / 10 (give or take the cut values themselves)
  for (let cls = 0; cls < 10; cls++) {
    const thirds = [0, 0, 0];
    for (let i = 0; i < 30; i++) thirds[c.tercile(100 * cls + i, cuts[cls].thickness)]++;
    assert.ok(
      thirds.every((n) => n >= 9 && n <= 11),
      `class ${cls}: ${thirds}`,
    );
  }
  assert.equal(c.captionOf({ thickness: 329, slant: -2.9 }, 3, cuts), 'a thick upright three');
  assert.equal(c.captionOf({ thickness: 315, slant: -1.5 }, 3, cuts), 'a three');
  assert.throws(() => c.attributeCuts(attrs, labels.slice(1)), /299 labels/);
  // a real digit: the ku.ch08 attributes of MNIST's first training digit are finite
  const mnist = ku.loadMnist();
  const a = ku.ch08.attributes(mnist.train.images.subarray(0, ku.PIXELS));
  assert.ok(Number.isFinite(a.thickness) && Number.isFinite(a.slant) && a.thickness > 0);
});

test('textToImageLoss scores the codes only, each from the tokens before it', () => {
  const m = small();
  const rng = new ku.Rng(2);
  const seq = [
    ...c.captionTokens(2, 0, 4),
    ...Array.from({ length: 6 }, () => m.textVocab + rng.int(8)),
  ];
  const seqs = tf.tensor2d([seq], undefined, 'int32');
  const loss = tf.tidy(() => c.textToImageLoss(m, seqs).dataSync()[0]);
  // by hand: log-softmax of the logits after tokens 3…8 at the codes 4…9
  const logits = tf.tidy(
    () => tf.logSoftmax(c.textToImageLogits(m, seqs.slice([0, 0], [1, 9]))).arraySync()[0],
  );
  let nats = 0;
  for (let j = 0; j < 6; j++) nats -= logits[3 + j][seq[4 + j] - m.textVocab];
  assert.ok(Math.abs(loss - nats / 6) < 1e-5, `${loss} vs ${nats / 6}`);
  assert.throws(() => c.textToImageLoss(m, seqs.slice([0, 0], [1, 9])), /9 tokens, not 10/);
  tf.dispose([seqs, ...Object.values(m.params)]);
});

test('sampleCodes: shapes, codes in range, no leaked tensors; temperature must be positive', async () => {
  const m = small();
  const captions = tf.tensor2d(
    [c.captionTokens(0, 2, 1), c.captionTokens(2, 1, 9)],
    undefined,
    'int32',
  );
  const before = tf.memory().numTensors;
  const codes = await c.sampleCodes(m, captions, { temperature: 0.8, topK: 3, label: 'test' });
  assert.deepEqual(codes.shape, [2, 6]);
  assert.equal(codes.dtype, 'int32');
  assert.ok(Array.from(codes.dataSync()).every((z) => z >= 0 && z < 8));
  codes.dispose();
  assert.equal(tf.memory().numTensors, before);
  await assert.rejects(() => c.sampleCodes(m, captions, { temperature: 0 }), /temperature 0/);
  tf.dispose([captions, ...Object.values(m.params)]);
});

test('attributeAgreement: images that match their words score 1, swapped words 0', () => {
  const mnist = ku.loadMnist();
  const n = 400;
  const images = Array.from({ length: n }, (_, i) =>
    mnist.train.images.subarray(i * ku.PIXELS, (i + 1) * ku.PIXELS),
  );
  const labels = mnist.train.labels.subarray(0, n);
  const attrs = images.map((x) => ku.ch08.attributes(x));
  const cuts = c.attributeCuts(attrs, labels);
  const thirds = attrs.map((a, i) => [
    c.tercile(a.thickness, cuts[labels[i]].thickness),
    c.tercile(a.slant, cuts[labels[i]].slant),
  ]);
  const own = thirds.map(([t, s], i) => c.captionTokens(t, s, labels[i]));
  const swapped = thirds.map(([t, s], i) => c.captionTokens(2 - t, 2 - s, labels[i]));
  const right = c.attributeAgreement(images, own, cuts);
  const wrong = c.attributeAgreement(images, swapped, cuts);
  for (const key of ['thickness', 'slant']) {
    assert.ok(right[key].asked > 200, `${key}: ${right[key].asked} asked`);
    assert.equal(right[key].third, 1);
    assert.equal(right[key].side, 1);
    assert.equal(wrong[key].third, 0);
    assert.equal(wrong[key].side, 0);
  }
});
