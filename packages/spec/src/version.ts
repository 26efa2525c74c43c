/**
 * Version of the trl-ts specification. Every implementation of a spec interface carries it in
 * `specificationVersion`, so a trainer can refuse a model written against an incompatible spec
 * with a clear message instead of failing somewhere inside a tensor op.
 */
export type SpecificationVersion = 'v1';

/** The specification version this build of `@trl/spec` defines (re-exported by `@trl/core`). */
export const SPECIFICATION_VERSION: SpecificationVersion = 'v1';
