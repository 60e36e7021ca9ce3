/**
 * Image datasets on disk (Node): only file names are listed up front, pixels are decoded batch by batch, so a
 * 50,000-image folder never sits in memory.
 *
 * - a folder of images (JPEG, PNG, WebP), searched recursively, no labels (calibration);
 * - the ImageFolder layout (torchvision): `root/<class>/**\/<image>`, one subfolder per class; class i is the i-th
 *   line of a names file, or else the i-th folder name in sorted order, as `torchvision.datasets.ImageFolder` does;
 * - a list file (`.txt`): one image path per line, relative to the list's folder; `#` starts a comment;
 * - `.npy` batches: one file, or a folder of files, each an already preprocessed float32 array [n, ...].
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative } from 'node:path';
import { IMAGE_EXTENSIONS } from './image.ts';

const isImage = (f: string): boolean => IMAGE_EXTENSIONS.includes(extname(f).toLowerCase());
// Plain code-unit order, like Python's sorted() on names (no locale collation).
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Image files under `dir`, recursively, as `sorted(os.walk(dir))` visits them (by folder, then file name). */
export function listImages(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    const entries = readdirSync(d, { withFileTypes: true }).sort((a, b) => byName(a.name, b.name));
    for (const e of entries) if (!e.isDirectory() && isImage(e.name)) out.push(join(d, e.name));
    for (const e of entries) if (e.isDirectory() || (e.isSymbolicLink() && statSync(join(d, e.name)).isDirectory())) walk(join(d, e.name));
  };
  walk(dir);
  return out;
}

/** Images of a folder: with `classes` when it has the ImageFolder layout (class subfolders, no loose images). */
export interface ImageFiles {
  root: string;
  files: string[];
  /** Class index of each file (ImageFolder layout only). */
  labels?: Int32Array;
  classes?: string[];
}

/** Lists `dir`; the ImageFolder layout is recognised when every image sits below a first-level subfolder. */
export function openImageFolder(dir: string, namesFile?: string): ImageFiles {
  const top = readdirSync(dir, { withFileTypes: true });
  const loose = top.some((e) => e.isFile() && isImage(e.name));
  const folders = top.filter((e) => e.isDirectory()).map((e) => e.name).sort(byName);
  if (loose || folders.length === 0) {
    if (namesFile) throw new Error(`dataset: ${dir} has images at its top level, so it is not an ImageFolder (one subfolder per class) that --classes could name`);
    const files = listImages(dir);
    if (!files.length) throw new Error(`dataset: ${dir} holds no images (${IMAGE_EXTENSIONS.join(' ')}), CIFAR-10 .bin, COCO instances*.json or .npy`);
    return { root: dir, files };
  }
  const classes = namesFile ? readNames(namesFile) : folders;
  const index = new Map(classes.map((c, i) => [c, i]));
  const files: string[] = [];
  const labels: number[] = [];
  for (const f of folders) {
    const c = index.get(f);
    if (c === undefined) throw new Error(`dataset: class folder '${f}' of ${dir} is not in ${namesFile} (${classes.length} names)`);
    for (const file of listImages(join(dir, f))) [files.push(file), labels.push(c)];
  }
  if (!files.length) throw new Error(`dataset: the class folders of ${dir} hold no images (${IMAGE_EXTENSIONS.join(' ')})`);
  return { root: dir, files, labels: Int32Array.from(labels), classes };
}

/** Class names, one a line (blank lines skipped); duplicates are an error. */
export function readNames(file: string): string[] {
  const names = readFileSync(file, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new Error(`classes: '${n}' appears twice in ${file}`);
    seen.add(n);
  }
  return names;
}

/** A list file: one image path a line, relative to the list file's folder unless absolute; `#` comments. */
export function readImageList(file: string): ImageFiles {
  const base = dirname(file);
  const files = readFileSync(file, 'utf8').split(/\r?\n/).map((l) => l.replace(/#.*/, '').trim()).filter((l) => l.length > 0)
    .map((l) => (isAbsolute(l) ? l : join(base, l)));
  if (!files.length) throw new Error(`dataset: list ${file} names no images`);
  const bad = files.find((f) => !isImage(f));
  if (bad) throw new Error(`dataset: list ${file}: '${relative(base, bad)}' is not a ${IMAGE_EXTENSIONS.join(' ')} file`);
  return { root: base, files };
}

/** Shape of a `.npy` file from its header alone (the data is not read). */
export function npyShape(file: string): { dtype: string; shape: number[] } {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(4096);
    const n = readSync(fd, head, 0, head.length, 0);
    const text = head.subarray(0, n).toString('latin1');
    if (!text.startsWith('\x93NUMPY')) throw new Error(`npy: ${file} is not a .npy file`);
    const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
    const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
    if (!descr || shape === undefined) throw new Error(`npy: ${file}: header not readable`);
    return { dtype: descr, shape: shape.split(',').map((s) => s.trim()).filter(Boolean).map(Number) };
  } finally {
    closeSync(fd);
  }
}

/** `.npy` batches: the files (sorted) and how many images each holds (its first dimension). */
export interface NpyFiles {
  files: string[];
  counts: number[];
  /** Per-image shape (all files agree). */
  item: number[];
}

/** One `.npy` file or the `.npy` files of a folder; each must be float32 [n, ...] with the same per-image shape. */
export function openNpyBatches(path: string): NpyFiles {
  const files = statSync(path).isDirectory() ? readdirSync(path).filter((f) => f.endsWith('.npy')).sort(byName).map((f) => join(path, f)) : [path];
  if (!files.length) throw new Error(`dataset: ${path} holds no .npy files`);
  const counts: number[] = [];
  let item: number[] | undefined;
  for (const f of files) {
    const { dtype, shape } = npyShape(f);
    if (dtype !== '<f4') throw new Error(`npy: ${f} is ${dtype}; preprocessed batches must be float32 (<f4)`);
    if (shape.length < 2) throw new Error(`npy: ${f} has shape [${shape}]; expected [n, ...] batches`);
    if (item && item.join() !== shape.slice(1).join()) throw new Error(`npy: ${f} holds [${shape.slice(1)}] images, ${files[0]} [${item}]`);
    item = shape.slice(1);
    counts.push(shape[0]);
  }
  return { files, counts, item: item! };
}

/**
 * `n` of `files` evenly spaced (file i * len / n): a calibration subset that covers every class folder of an
 * ImageFolder, whose files are grouped by class, instead of the first classes only. Deterministic.
 */
export function evenlySpaced<T>(files: readonly T[], n: number): T[] {
  if (n >= files.length) return [...files];
  return Array.from({ length: n }, (_, i) => files[Math.floor((i * files.length) / n)]);
}
