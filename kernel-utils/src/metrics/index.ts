export * from '../stats/linalg';
export * from './fid';
export * from './neighbours';
export * from './kid';
export * from './scores';
export * from './lpips';
export * from './digit-models';
export * from './evaluate';
