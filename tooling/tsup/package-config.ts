import { defineConfig, type Options } from 'tsup';

/** What differs between our packages' builds; everything else is one policy for the whole repo. */
export interface PackageBuild {
  /** Entry points; the first one also gets the `.d.ts` unless `typesEntry` says otherwise. */
  entry?: string[];
  /** The one entry whose types are published, when the others are executables (a CLI). */
  typesEntry?: string;
}

/**
 * ESM + CJS + declarations for Node 20. Shims are on everywhere: packages that find files next
 * to their own code use `import.meta.url`, and the CJS build needs the shim for it (tsup adds
 * nothing to a package that never mentions it).
 */
export function packageConfig(build: PackageBuild = {}): Options {
  const entry = build.entry ?? ['src/index.ts'];
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: build.typesEntry === undefined ? true : { entry: build.typesEntry },
    clean: true,
    sourcemap: true,
    target: 'node20',
    shims: true,
  }) as Options;
}
