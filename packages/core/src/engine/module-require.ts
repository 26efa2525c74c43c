import { createRequire } from 'node:module';

/**
 * A `require` usable from both builds. tsup emits ESM (where only `import.meta.url` locates this
 * module) and CJS (where `import.meta` is empty but `__filename` exists), so pick whichever is there.
 */
export function moduleRequire(): NodeJS.Require {
  if (typeof __filename === 'string' && __filename.length > 0) return createRequire(__filename);
  return createRequire(import.meta.url);
}

/** Whether `specifier` resolves from here (the package is installed), without loading it. */
export function isResolvable(specifier: string): boolean {
  try {
    moduleRequire().resolve(specifier);
    return true;
  } catch {
    return false;
  }
}
