/**
 * Optional Node packages (peer dependencies marked optional in package.json): `webgpu` (Dawn, for the Node
 * runtime and the CLI) and `onnxruntime-node` (the float reference: `quantize --method auto`, `--weights mixed`,
 * `eval --runtime ort`). A browser app never installs them; a Node user who needs one is told which and how.
 */

/** What {@link importOptional} throws when the package is not installed. */
export class MissingPackageError extends Error {
  constructor(readonly pkg: string, purpose: string) {
    super(`${purpose} needs the optional package '${pkg}', which is not installed; install it next to quantgpu: npm install ${pkg}`);
    this.name = 'MissingPackageError';
  }
}

/**
 * Runs `load` (an arrow returning a dynamic import with a literal specifier, so bundlers and types still see
 * it) and turns a "module not found" for `pkg` into a {@link MissingPackageError} naming `purpose`. Other failures pass through.
 */
export async function importOptional<T>(load: () => Promise<T>, pkg: string, purpose: string): Promise<T> {
  try {
    return await load();
  } catch (e) {
    const err = e as { code?: string; message?: string };
    const notFound = err.code === 'ERR_MODULE_NOT_FOUND' || err.code === 'MODULE_NOT_FOUND' || /Cannot find (package|module)/.test(err.message ?? '');
    if (notFound && (err.message ?? '').includes(pkg)) throw new MissingPackageError(pkg, purpose);
    throw e;
  }
}
