export { fastDecoderProvider, registerFastDecoderProvider } from './fast-decoder-registry';
