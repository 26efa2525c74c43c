export { assertFiniteTensor, countNonFinite, type NonFiniteCount } from './finite';
export { parseSafetensors, readSafetensors } from './parse';
export { serializeSafetensors, writeSafetensors } from './serialize';
export { safetensorToTensor, tensorToSafetensor } from './tensor-bridge';
export {
  isSafetensorDtype,
  SAFETENSOR_ITEM_SIZE,
  type SafetensorDtype,
  type SafetensorEntry,
  type SafetensorEntryOf,
  type SafetensorsFile,
  type SafetensorValueTypes,
} from './types';
