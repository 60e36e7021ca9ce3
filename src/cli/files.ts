/**
 * Checks on the files named in the arguments, made before any model is loaded so that a typo costs nothing:
 * each error names the option, the file, what was expected and what to do.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './args.ts';

/** Magic bytes of formats people pass by mistake, to say what the file is rather than only what it is not. */
const KNOWN: [string, number[]][] = [
  ['a PNG image', [0x89, 0x50, 0x4e, 0x47]],
  ['a JPEG image', [0xff, 0xd8, 0xff]],
  ['a ZIP archive (.npz?)', [0x50, 0x4b, 0x03, 0x04]],
  ['a NumPy .npy array', [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]],
];

/** What a file's first bytes say it is, if it is one of the formats above. */
export function sniff(bytes: Uint8Array): string | undefined {
  return KNOWN.find(([, magic]) => magic.every((m, i) => bytes[i] === m))?.[0];
}

/** How an argument is shown in messages: `--config a.json`, or `--input x=a.npy` for an option that ends in '='. */
const shown = (option: string, path: string): string => (option.endsWith('=') ? `${option}${path}` : `${option} ${path}`);

/** The bytes of an existing regular file named by `option`; a `UsageError` if it is missing or a directory. */
export function readInputFile(option: string, path: string): Uint8Array {
  if (!existsSync(path)) throw new UsageError(`${shown(option, path)}: no such file`);
  if (statSync(path).isDirectory()) throw new UsageError(`${shown(option, path)}: is a directory, expected a file`);
  return new Uint8Array(readFileSync(path));
}

/** A model file: exists, and looks like ONNX protobuf rather than an image, an array or text. */
export function readModelFile(path: string | undefined, command: string): Uint8Array {
  if (!path) throw new UsageError(`${command}: missing <model.onnx> (run 'quantgpu ${command} --help')`);
  const bytes = readInputFile('model', path);
  const kind = sniff(bytes);
  // A protobuf starts with a field tag; '{', '[' and '<' would be groups, which ONNX never uses: that is JSON or HTML.
  if (kind || /^[{[<]/.test(String.fromCharCode(bytes[0] ?? 0))) {
    throw new UsageError(`model ${path}: expected an ONNX model (.onnx), this is ${kind ?? 'a text file (JSON or HTML?)'}`);
  }
  return bytes;
}

/** `--input` data: must be a .npy array; an image gets a hint on how to convert it. */
export function readNpyFile(option: string, path: string): Uint8Array {
  const bytes = readInputFile(option, path);
  const kind = sniff(bytes);
  if (kind === 'a NumPy .npy array') return bytes;
  const hint = kind?.endsWith('image')
    ? ' (run takes the model\'s input tensor, already preprocessed: e.g. in Python np.save("x.npy", ' +
      'np.asarray(img, np.float32).transpose(2, 0, 1)[None] / 255) with the model\'s own resize and normalization)'
    : '';
  throw new UsageError(`${shown(option, path)}: expected a NumPy .npy file (float32 array with the model input's shape), ` +
    `this is ${kind ?? 'not a .npy file (no \\x93NUMPY header)'}${hint}`);
}

/** Proves a directory writable by creating and removing a probe file in it (also right when running as root). */
function probeDir(option: string, dir: string, shown: string): void {
  const probe = resolve(dir, `.quantgpu-write-test-${process.pid}`);
  try {
    closeSync(openSync(probe, 'w'));
    unlinkSync(probe);
  } catch (e) {
    throw new UsageError(`${option} ${shown}: cannot write in ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** An output directory: created if missing (with parents), and writable. */
export function ensureWritableDir(option: string, dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`${option} ${dir}: exists and is not a directory`);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UsageError(`${option} ${dir}: cannot create the directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  probeDir(option, dir, dir);
}

/** An output file: its directory exists and is writable, and the path is not a directory. Nothing is created. */
export function checkWritableFile(option: string, file: string): void {
  if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError(`${option} ${file}: is a directory, expected a file name`);
  const dir = dirname(resolve(file));
  if (!existsSync(dir)) throw new UsageError(`${option} ${file}: the directory ${dirname(file)} does not exist`);
  if (!statSync(dir).isDirectory()) throw new UsageError(`${option} ${file}: ${dirname(file)} is not a directory`);
  probeDir(option, dir, file);
}

/** Parses a JSON file; a syntax error names the file, the line and the column. */
export function readJsonFile(option: string, path: string): unknown {
  const text = new TextDecoder().decode(readInputFile(option, path));
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = Number(/at position (\d+)/.exec(msg)?.[1] ?? NaN);
    const before = Number.isFinite(pos) ? text.slice(0, pos).split('\n') : undefined;
    const where = before ? ` at line ${before.length}, column ${before.at(-1)!.length + 1}` : '';
    throw new UsageError(`${shown(option, path)}: not valid JSON${where}: ${msg.replace(/ in JSON at position \d+.*$/, '')}`);
  }
}
