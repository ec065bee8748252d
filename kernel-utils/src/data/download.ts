/**
 * Downloads of the official IDX files, checked against pinned SHA-256 sums and written
 * atomically (to a temporary file, renamed only once the checksum matches).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { datasetsDir } from '../book/paths';
import { IDX_FILES } from './images';
import { writeFileAtomic } from '../artifacts/fsutil';
import { readIdx } from './idx';

export interface RemoteFile {
  file: string;
  sha256: string;
  bytes: number;
}

export interface RemoteDataset {
  name: string;
  /** Mirrors tried in order; each is a base URL the file names are appended to. */
  mirrors: string[];
  files: RemoteFile[];
}

export const REMOTE_DATASETS: Record<string, RemoteDataset> = {
  mnist: {
    name: 'mnist',
    mirrors: [
      'https://ossci-datasets.s3.amazonaws.com/mnist/',
      'https://storage.googleapis.com/cvdf-datasets/mnist/',
      'http://yann.lecun.com/exdb/mnist/',
    ],
    files: [
      {
        file: `${IDX_FILES.trainImages}.gz`,
        bytes: 9912422,
        sha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
      },
      {
        file: `${IDX_FILES.trainLabels}.gz`,
        bytes: 28881,
        sha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
      },
      {
        file: `${IDX_FILES.testImages}.gz`,
        bytes: 1648877,
        sha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
      },
      {
        file: `${IDX_FILES.testLabels}.gz`,
        bytes: 4542,
        sha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
      },
    ],
  },
  'fashion-mnist': {
    name: 'fashion-mnist',
    mirrors: [
      'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
      'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/',
    ],
    files: [
      {
        file: `${IDX_FILES.trainImages}.gz`,
        bytes: 26421880,
        sha256: '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84',
      },
      {
        file: `${IDX_FILES.trainLabels}.gz`,
        bytes: 29515,
        sha256: 'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845',
      },
      {
        file: `${IDX_FILES.testImages}.gz`,
        bytes: 4422102,
        sha256: '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073',
      },
      {
        file: `${IDX_FILES.testLabels}.gz`,
        bytes: 5148,
        sha256: '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5',
      },
    ],
  },
};

/** SHA-256 of a file, hex. */
export function sha256File(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Verify bytes against a pinned file; throws naming the file on a mismatch. */
export function verifyPinned(bytes: Uint8Array, pin: RemoteFile, where: string): void {
  if (bytes.length !== pin.bytes)
    throw new Error(
      `${where}: ${bytes.length} bytes, expected ${pin.bytes} (truncated or a different file)`,
    );
  const got = crypto.createHash('sha256').update(bytes).digest('hex');
  if (got !== pin.sha256)
    throw new Error(`${where}: SHA-256 ${got} does not match the pinned ${pin.sha256}`);
}

async function fetchBytes(url: string, timeoutMs: number): Promise<Uint8Array> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  try {
    const res = await fetch(url, { signal: ctrl.signal, redirect: 'follow' });
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    return new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const cause = err.cause?.code ?? err.cause?.message;
    throw new Error(
      err.name === 'AbortError'
        ? `timed out after ${timeoutMs / 1000}s`
        : cause
          ? `${err.message} (${cause})`
          : err.message,
    );
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Download the files of `spec` into `dir`, skipping files already present with the right
 * checksum. Each file is verified before it is renamed into place; nothing partial is left.
 */
export async function downloadFiles(
  spec: RemoteDataset,
  dir: string,
  opts: { log?: (s: string) => void; timeoutMs?: number } = {},
): Promise<void> {
  const log = opts.log ?? ((s: string) => console.log(s));
  fs.mkdirSync(dir, { recursive: true });
  for (const pin of spec.files) {
    const target = path.join(dir, pin.file);
    if (fs.existsSync(target)) {
      try {
        verifyPinned(fs.readFileSync(target), pin, target);
        log(`${pin.file}: present, checksum ok`);
        continue;
      } catch (e) {
        log(
          `${pin.file}: present but ${(e as Error).message.replace(`${target}: `, '')}; downloading again`,
        );
      }
    }
    const errors: string[] = [];
    let done = false;
    for (const base of spec.mirrors) {
      const url = base + pin.file;
      try {
        log(`${pin.file}: downloading ${url}`);
        const bytes = await fetchBytes(url, opts.timeoutMs ?? 120_000);
        verifyPinned(bytes, pin, url);
        writeFileAtomic(target, bytes);
        log(`${pin.file}: ${bytes.length} bytes, SHA-256 ok`);
        done = true;
        break;
      } catch (e) {
        errors.push(`${url}: ${(e as Error).message}`);
      }
    }
    if (!done) {
      throw new Error(
        `could not download ${pin.file} for ${spec.name}:\n  ${errors.join('\n  ')}\n` +
          `Copy the official file (SHA-256 ${pin.sha256}) into ${dir} by hand, or check the network.`,
      );
    }
  }
}

/** `npm run data -- <name>`: download a known dataset into datasets/<name>/ and validate its IDX files. */
export async function downloadDataset(
  name: string,
  opts: { dir?: string; log?: (s: string) => void; timeoutMs?: number } = {},
): Promise<string> {
  const spec = REMOTE_DATASETS[name];
  if (!spec)
    throw new Error(
      `unknown dataset "${name}": choose one of ${Object.keys(REMOTE_DATASETS).join(', ')}`,
    );
  const dir = opts.dir ?? path.join(datasetsDir(), name);
  await downloadFiles(spec, dir, opts);
  for (const pin of spec.files) readIdx(path.join(dir, pin.file));
  return dir;
}
