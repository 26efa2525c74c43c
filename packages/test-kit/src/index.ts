export * from './fixtures';
export * from './models';
export * from './readme';
