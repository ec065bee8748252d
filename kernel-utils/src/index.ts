/**
 * kernel-utils: what the book's notebooks share. What is taught (models, losses, equations) stays
 * in the notebooks; what repeats lives here.
 */
export * from './book/mode';
export * from './book/random';
export * from './backend/backend';
export * from './backend/wasm';
export * from './backend/threads';
export * from './backend/webgpu';
export * from './book/paths';
export * from './artifacts/fsutil';
export * from './book/notebook';
export * from './book/keep';
export * from './data/idx';
export * from './data/images';
export * from './data/toy';
export * from './data/binarize';
export * from './data/download';
export * from './display/png';
export * from './display/jupyter';
export * from './display/render';
export * from './display/grid';
export * from './display/charts';
export * from './display/table';
export * from './display/progress';
export * from './train/fit';
export * from './train/checkpoint';
export * from './stats/discrete';
export * from './stats/roc';
export * from './stats/linalg';
export * from './stats/gaussian';
export * from './stats/gmm';
export * from './stats/variational';
export * from './artifacts/npy';
export * from './artifacts/artifacts';
export * from './metrics';
// chapter code saved with `// @save` in the notebooks: ku.ch07.buildVae and so on (last: it uses the rest)
export * from './chapters';
