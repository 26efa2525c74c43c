export {
  type ConfigIssue,
  formatConfigIssues,
  TrlConfigError,
  type TrlConfigErrorCode,
  TrlError,
} from './errors';
export { assertKnownKeys, invalidOption, type ParseOptionsSettings, parseOptions } from './parse-options';
export { camelCase, closestKey, editDistance } from './suggest';
export { findUnknownKeys, type KeyHints, nestedKeyHints, unknownKeyIssue } from './unknown-keys';
