export { matmul2d } from './matmul2d';
