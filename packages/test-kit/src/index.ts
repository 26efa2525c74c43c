export * from './fixtures';
export * from './models';
export * from './readme';
export * from './tensors';
export * from './trackers';
