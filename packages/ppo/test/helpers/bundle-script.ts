import { createRequire } from 'node:module';

interface EsbuildResolveResult {
  path: string;
  errors: unknown[];
}
interface EsbuildPluginBuild {
  onResolve(
    options: { filter: RegExp },
    callback: (args: {
      path: string;
      kind: string;
      resolveDir: string;
      pluginData?: unknown;
    }) => Promise<{ path: string; external: boolean } | undefined>,
  ): void;
  resolve(
    path: string,
    options: { kind: string; resolveDir: string; pluginData: unknown },
  ): Promise<EsbuildResolveResult>;
}
interface Esbuild {
  build(options: Record<string, unknown>): Promise<unknown>;
}

/** esbuild as vite (which vitest runs on) ships it; no extra dependency for one test helper. */
function loadEsbuild(): Esbuild {
  const fromHere = createRequire(import.meta.url);
  try {
    return createRequire(fromHere.resolve('vite'))('esbuild') as Esbuild;
  } catch (error) {
    throw new Error(`bundle-script: cannot find esbuild through vite (${(error as Error).message}).`);
  }
}

const SKIP = Symbol('resolving an external');

/**
 * Bundles a TypeScript entry (and the workspace sources it imports, through the `@trl/source`
 * condition) into one CommonJS file a plain `node` can run: a child process for crash tests.
 * TensorFlow.js stays external, required by absolute path so the bundle runs from any directory;
 * CommonJS because Node then loads tfjs's CommonJS build without scanning it for ESM exports,
 * which otherwise costs a second per child.
 */
export async function bundleScript(entry: string, outfile: string): Promise<void> {
  const esbuild = loadEsbuild();
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    conditions: ['@trl/source'],
    logLevel: 'silent',
    plugins: [
      {
        name: 'absolute-externals',
        setup(build: EsbuildPluginBuild) {
          build.onResolve({ filter: /^@tensorflow\// }, async (args) => {
            if (args.pluginData === SKIP || !args.path.startsWith('@tensorflow/')) return undefined;
            const resolved = await build.resolve(args.path, {
              kind: args.kind,
              resolveDir: args.resolveDir,
              pluginData: SKIP,
            });
            if (resolved.errors.length > 0) return undefined;
            return { path: resolved.path, external: true };
          });
        },
      },
    ],
  });
}
