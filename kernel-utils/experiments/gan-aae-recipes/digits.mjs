// Shared by the trial scripts of this folder: kernel-utils and tfjs loaded as a notebook loads
// them (the best backend initialized), and the embedded training digits as tensors.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../../package.json', import.meta.url));
export const ku = require('kernel-utils');
export const tf = require('@tensorflow/tfjs');
await ku.initBackend();

export const mnist = ku.loadMnist();
/** How many training digits. */
export const N = mnist.train.n;
/** The training digits as N×28×28×1 in [0, 1], and their one-hot labels. */
export const imgs = tf.tensor4d(mnist.train.images.subarray(0, N * 784), [N, 28, 28, 1]);
export const labs = tf.oneHot(tf.tensor1d(Array.from(mnist.train.labels.subarray(0, N)), 'int32'), 10);
/** The 1,000 training digits the book's evaluator scores samples against. */
export const real = { data: mnist.train.images.subarray(0, 1000 * 784), shape: [1000, 28, 28] };
