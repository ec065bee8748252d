/**
 * The IDX format of MNIST and Fashion-MNIST: a 4-byte magic number (0, 0, type code, number of
 * dimensions), one big-endian uint32 per dimension, then the values, row-major. Files may be
 * gzip-compressed. Every problem is reported with the file's name.
 */
import * as fs from 'fs';
import * as zlib from 'zlib';

export interface IdxArray {
  /** The dimensions, e.g. [10000, 28, 28]. */
  shape: number[];
  /** The values; IDX type 0x08 (unsigned byte) is the only type MNIST-like data uses. */
  data: Uint8Array;
}

const TYPE_NAMES: Record<number, string> = {
  0x08: 'uint8',
  0x09: 'int8',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

/** Parse IDX bytes (gzip or raw). `name` is used in error messages. */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  let buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = zlib.gunzipSync(buf);
    } catch (e) {
      throw new Error(`${name}: gzip data is corrupt or truncated (${(e as Error).message})`);
    }
  }
  if (buf.length < 4) throw new Error(`${name}: too short to be an IDX file (${buf.length} bytes)`);
  if (buf[0] !== 0 || buf[1] !== 0) {
    throw new Error(
      `${name}: not an IDX file (magic number starts 0x${buf[0].toString(16)} 0x${buf[1].toString(16)}, expected 0x00 0x00)`,
    );
  }
  const type = buf[2];
  const ndim = buf[3];
  if (type !== 0x08) {
    const t = TYPE_NAMES[type]
      ? `${TYPE_NAMES[type]} (0x${type.toString(16)})`
      : `unknown type 0x${type.toString(16)}`;
    throw new Error(
      `${name}: IDX element type ${t} is not supported; MNIST-style files hold uint8 (0x08)`,
    );
  }
  if (ndim < 1 || ndim > 4)
    throw new Error(`${name}: IDX header says ${ndim} dimensions; expected 1 to 4`);
  const headerLen = 4 + 4 * ndim;
  if (buf.length < headerLen)
    throw new Error(
      `${name}: truncated header (${buf.length} bytes, the header needs ${headerLen})`,
    );
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) {
    const d = buf.readUInt32BE(4 + 4 * i);
    if (d === 0) throw new Error(`${name}: dimension ${i} is 0`);
    shape.push(d);
  }
  const expected = shape.reduce((a, b) => a * b, 1);
  const actual = buf.length - headerLen;
  if (actual < expected) {
    throw new Error(
      `${name}: truncated — the header promises ${shape.join('×')} = ${expected} values, but the file holds ${actual}`,
    );
  }
  if (actual > expected) {
    throw new Error(
      `${name}: ${actual - expected} unexpected bytes after the ${shape.join('×')} values the header describes`,
    );
  }
  return { shape, data: new Uint8Array(buf.buffer, buf.byteOffset + headerLen, expected) };
}

/** Read and validate an IDX file (gzip or raw). */
export function readIdx(file: string): IdxArray {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new Error(
      `${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  return parseIdx(bytes, file);
}

/** Encode an IDX uint8 array (for tests and for writing subsets). */
export function encodeIdx(shape: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header[2] = 0x08;
  header[3] = shape.length;
  shape.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}
