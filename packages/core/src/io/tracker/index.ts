export { ConsoleTracker, type ConsoleTrackerOptions } from './console-tracker';
export { crc32c, maskedCrc32c } from './crc32c';
export { JsonlTracker, type JsonlTrackerOptions } from './jsonl-tracker';
export { MultiTracker } from './multi-tracker';
export { TensorBoardTracker } from './tensorboard-tracker';
export type { TextSink } from './text-sink';
export { frameTfRecord } from './tfrecord';
