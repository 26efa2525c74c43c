// The optimizer and schedule options share the library-wide parser (strict keys, TrlConfigError).
export { parseOptions } from '@trl/spec';
