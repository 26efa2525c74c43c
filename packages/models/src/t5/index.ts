export { parseT5Config, type T5Activation, type T5Config } from './config';
export { createT5, type LoadedT5, loadT5, type T5Options } from './load';
export { T5ForConditionalGeneration } from './model';
