/**
 * Chooses and starts the TensorFlow.js backend of this thread. tfjs-node is
 * an optional dependency (its install downloads libtensorflow, which fails
 * offline), so it is looked for at run time; wasm is the portable fallback
 * and the pure-JS cpu backend the last resort (about 100 times slower).
 *
 * tfjs keeps one engine per thread: call this once in each worker thread
 * before training. Calling it again is cheap and changes nothing.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

import { InputError } from '../errors.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { registerWasmKernels } from './kernels/index.js';

export type Tf = typeof import('@tensorflow/tfjs');
export type BackendName = 'node' | 'wasm' | 'cpu';
export type BackendChoice = BackendName | 'auto';

export interface LoadedBackend {
  tf: Tf;
  name: BackendName;
}

export interface LoadBackendOptions {
  /** Told which backends were passed over by `auto`, and why. */
  logger?: Logger;
}

/** tfjs' own name for each of ours. */
const TFJS_NAMES: Record<BackendName, string> = {
  node: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

// A variable, so that TypeScript does not demand the optional package.
const TFJS_NODE = '@tensorflow/tfjs-node';

/** Per thread: the wasm binaries' location may be set only once. */
let wasmPathsSet = false;

export async function loadBackend(
  choice: BackendChoice,
  options: LoadBackendOptions = {},
): Promise<LoadedBackend> {
  const tf = await import('@tensorflow/tfjs');
  // Production mode silences tfjs' console advice (library code must not
  // write to the console) and skips debug-only checks.
  tf.enableProdMode();

  if (choice !== 'auto') return { tf, name: await start(tf, choice) };

  const logger = options.logger ?? silentLogger;
  for (const name of ['node', 'wasm'] as const) {
    try {
      return { tf, name: await start(tf, name) };
    } catch (error) {
      logger.debug(`backend ${name} unavailable: ${messageOf(error)}`);
    }
  }
  return { tf, name: await start(tf, 'cpu') };
}

async function start(tf: Tf, name: BackendName): Promise<BackendName> {
  if (name === 'node') await importTfjsNode();
  if (name === 'wasm') await prepareWasm(tf);

  const ok = await tf.setBackend(TFJS_NAMES[name]);
  if (!ok) {
    throw new InputError(
      'E_ARGUMENT',
      `backend ${name} failed to initialise (tfjs setBackend returned false)`,
    );
  }
  await tf.ready();
  return name;
}

async function importTfjsNode(): Promise<void> {
  try {
    await import(TFJS_NODE);
  } catch (error) {
    throw new InputError(
      'E_ARGUMENT',
      `backend node: ${TFJS_NODE} is not installed or does not load ` +
        `(${messageOf(error)})`,
      [],
      {
        cause: error,
        hint:
          'It is an optional dependency whose install downloads ' +
          'libtensorflow; install it on a machine with internet access ' +
          `(npm install ${TFJS_NODE}), or use --backend wasm.`,
      },
    );
  }
}

async function prepareWasm(tf: Tf): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (!wasmPathsSet) {
    // In Node the .wasm files must be read from disk, from the package's
    // dist folder; the default would fetch them relative to a web page.
    wasm.setWasmPaths(`${wasmDistFolder()}${path.sep}`);
    wasmPathsSet = true;
  }
  registerWasmKernels(tf);
}

function wasmDistFolder(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
