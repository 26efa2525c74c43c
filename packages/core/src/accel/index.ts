export {
  CAPABILITY_NAMES,
  type CapabilityName,
  type CapabilityProviders,
  type FusedAdamWFactors,
  type FusedAdamWInputs,
  type FusedAdamWProvider,
  fastDecoderProvider,
  getCapability,
  registerCapability,
  registerFastDecoderProvider,
  type TransposedMatMulProvider,
} from './capabilities';
export type {
  FastDecoderCapability,
  RotaryDecoderLayerWeights,
  RotaryDecoderLinear,
  RotaryDecoderShape,
  RotaryDecoderWeights,
} from './rotary-decoder';
