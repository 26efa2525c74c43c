import * as tf from '@tensorflow/tfjs';
import { isResolvable, moduleRequire } from './module-require';

/** The npm package providing each native binding. */
export const NATIVE_PACKAGES = {
  'node-gpu': '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
} as const;

/** The shell command that installs a native binding matching the bundled tfjs version. */
export function nativeInstallCommand(name: keyof typeof NATIVE_PACKAGES): string {
  return `npm install ${NATIVE_PACKAGES[name]}@${tf.version_core}`;
}

/**
 * Loads an optional native binding, which registers the `tensorflow` backend as a side effect.
 * Returns undefined when the package is not installed; throws when it is installed but fails to
 * load (a broken libtensorflow should be reported, not silently replaced by a slower backend).
 */
export function loadNativeBinding(name: keyof typeof NATIVE_PACKAGES): 'tensorflow' | undefined {
  const specifier = NATIVE_PACKAGES[name];
  if (!isResolvable(specifier)) return undefined;
  try {
    moduleRequire()(specifier);
  } catch (cause) {
    throw new Error(
      `initBackend: ${specifier} is installed but failed to load (${String(cause)}). ` +
        `Reinstall it with \`${nativeInstallCommand(name)}\`, or choose 'wasm'.`,
      { cause },
    );
  }
  return tf.findBackendFactory('tensorflow') ? 'tensorflow' : undefined;
}
