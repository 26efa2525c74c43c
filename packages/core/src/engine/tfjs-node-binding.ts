import * as tf from '@tensorflow/tfjs';
import { isResolvable, moduleRequire } from './module-require';

/**
 * The npm package providing each tfjs-node binding (TensorFlow's C library; not the @trl/native
 * addon, which only adds kernels to the wasm backend).
 */
export const TFJS_NODE_PACKAGES = {
  'node-gpu': '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
} as const;

/** The shell command that installs a tfjs-node binding matching the bundled tfjs version. */
export function tfjsNodeInstallCommand(name: keyof typeof TFJS_NODE_PACKAGES): string {
  return `npm install ${TFJS_NODE_PACKAGES[name]}@${tf.version_core}`;
}

/**
 * Loads an optional tfjs-node binding, which registers the `tensorflow` backend as a side effect.
 * Returns undefined when the package is not installed; throws when it is installed but fails to
 * load (a broken libtensorflow should be reported, not silently replaced by a slower backend).
 */
export function loadTfjsNodeBinding(name: keyof typeof TFJS_NODE_PACKAGES): 'tensorflow' | undefined {
  const specifier = TFJS_NODE_PACKAGES[name];
  if (!isResolvable(specifier)) return undefined;
  try {
    loadQuietly(specifier);
  } catch (cause) {
    throw new Error(
      `initBackend: ${specifier} is installed but failed to load (${String(cause)}). ` +
        `Reinstall it with \`${tfjsNodeInstallCommand(name)}\`, or choose 'wasm'.`,
      { cause },
    );
  }
  return tf.findBackendFactory('tensorflow') ? 'tensorflow' : undefined;
}

// TensorFlow's C++ logging (oneDNN and CPU-feature notices) goes to stderr unless told otherwise, and
// tfjs-node re-sets the platform tfjs already set, which tfjs reports with a warning. Neither says
// anything a user can act on; an explicit TF_CPP_MIN_LOG_LEVEL still wins.
const PLATFORM_NOTICE = 'Platform node has already been set';
// tfjs-node finds its compiled binding with node-pre-gyp, which parses process.argv as its own
// command line: an application started with `--dir x` (or `--directory`, `--target`, …) would send
// the lookup elsewhere and fail. The binding is found from the script name alone.

function loadQuietly(specifier: string): void {
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  const warn = console.warn;
  const argv = process.argv;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith(PLATFORM_NOTICE)) return;
    warn(...args);
  };
  process.argv = argv.slice(0, 2);
  try {
    moduleRequire()(specifier);
  } finally {
    console.warn = warn;
    process.argv = argv;
  }
}
