/**
 * NumPy .npy files (format version 1.0), so samples can be compared with any framework:
 * `np.load('samples.npy')`.
 */
import * as fs from 'fs';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from './fsutil';

export type NpyArray = Float32Array | Float64Array | Int32Array | Uint8Array;

const DESCR: [string, new (n: number) => NpyArray, number][] = [
  ['<f4', Float32Array, 4],
  ['<f8', Float64Array, 8],
  ['<i4', Int32Array, 4],
  ['|u1', Uint8Array, 1],
];

function descrOf(a: NpyArray): string {
  if (a instanceof Float32Array) return '<f4';
  if (a instanceof Float64Array) return '<f8';
  if (a instanceof Int32Array) return '<i4';
  if (a instanceof Uint8Array) return '|u1';
  throw new Error('npy: unsupported array type');
}

/** Encode an array with a shape as .npy bytes. */
export function encodeNpy(data: NpyArray, shape: number[]): Buffer {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length)
    throw new Error(`npy: shape [${shape}] has ${size} elements but the data has ${data.length}`);
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descrOf(data)}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  const pre = 10;
  const total = Math.ceil((pre + header.length + 1) / 64) * 64;
  header = header.padEnd(total - pre - 1, ' ') + '\n';
  const head = Buffer.alloc(pre);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([
    head,
    Buffer.from(header, 'latin1'),
    Buffer.from(data.buffer, data.byteOffset, data.byteLength),
  ]);
}

/** Decode .npy bytes; `name` is used in error messages. */
export function decodeNpy(
  bytes: Uint8Array,
  name = 'npy',
): { data: NpyArray; shape: number[]; dtype: string } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY')
    throw new Error(`${name}: not a .npy file (missing the \\x93NUMPY magic)`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 + headerLen : 12 + headerLen;
  const header = buf.toString('latin1', major === 1 ? 10 : 12, start);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeM = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shapeM)
    throw new Error(`${name}: unreadable .npy header: ${header.trim()}`);
  if (fortran === 'True')
    throw new Error(
      `${name}: Fortran-ordered arrays are not supported; save with np.ascontiguousarray`,
    );
  const shape = shapeM[1]
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const kind = DESCR.find((d) => d[0] === descr || (d[0] === '|u1' && descr === '<u1'));
  let data: NpyArray;
  const size = shape.reduce((a, b) => a * b, 1);
  if (kind) {
    const [, Ctor, width] = kind;
    if (buf.length - start !== size * width)
      throw new Error(
        `${name}: shape [${shape}] needs ${size * width} data bytes, the file has ${buf.length - start}`,
      );
    const copy = new Uint8Array(buf.subarray(start));
    data = new (Ctor as unknown as new (b: ArrayBuffer) => NpyArray)(copy.buffer);
  } else if (descr === '<i8' || descr === '<u8') {
    if (buf.length - start !== size * 8)
      throw new Error(
        `${name}: shape [${shape}] needs ${size * 8} data bytes, the file has ${buf.length - start}`,
      );
    const out = new Int32Array(size);
    for (let i = 0; i < size; i++)
      out[i] = Number(
        descr === '<i8' ? buf.readBigInt64LE(start + 8 * i) : buf.readBigUInt64LE(start + 8 * i),
      );
    data = out;
  } else {
    throw new Error(
      `${name}: dtype ${descr} is not supported (use float32, float64, int32, int64 or uint8)`,
    );
  }
  return { data, shape, dtype: descr };
}

/** Save a tensor (or array + shape) as .npy, atomically. */
export function saveNpy(
  file: string,
  value: tf.Tensor | { data: NpyArray; shape: number[] },
): void {
  if (value instanceof tf.Tensor) {
    const data =
      value.dtype === 'int32'
        ? (value.dataSync() as Int32Array)
        : Float32Array.from(value.dataSync() as Float32Array);
    writeFileAtomic(file, encodeNpy(data, value.shape));
  } else {
    writeFileAtomic(file, encodeNpy(value.data, value.shape));
  }
}

/** Read a .npy file. */
export function loadNpy(file: string): { data: NpyArray; shape: number[]; dtype: string } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new Error(
      `${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  return decodeNpy(bytes, file);
}
