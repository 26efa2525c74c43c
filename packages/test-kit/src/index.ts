export * from './fixtures';
export * from './models';
