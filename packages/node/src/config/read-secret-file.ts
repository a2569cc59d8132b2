import { closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync } from 'node:fs';

/** Largest secret file read (64 KiB): NAIS secrets are ids, URLs and single JWKs, all far smaller. */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;

/** What reading one secret file gave: its text, no such file, or why it was refused (never its content). */
export type SecretFile =
  | { readonly status: 'read'; readonly text: string }
  | { readonly status: 'absent' }
  | { readonly status: 'refused'; readonly reason: string };

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Why `stats` is no secret file to read, or `undefined` when it is one. */
function statsProblem(stats: Stats): string | undefined {
  if (!stats.isFile()) return `is ${kindOf(stats)}, not a regular file`;
  if (stats.size > MAX_SECRET_FILE_BYTES) return `is larger than ${MAX_SECRET_FILE_BYTES} bytes`;
  return undefined;
}

const errorCode = (error: unknown) => String((error as NodeJS.ErrnoException | null)?.code ?? 'unknown error');

/**
 * Reads a mounted secret file without ever blocking or reading without bound: the type and
 * size of what the path resolves to are checked before it is opened (Kubernetes secret volumes
 * are symlinks through `..data`, so links are followed), it is opened non-blocking and checked
 * again on the descriptor (it may have been swapped in between), and at most 64 KiB + 1 bytes
 * are read. A directory, FIFO, device, socket or oversized file is refused, never read.
 */
export function readSecretFile(file: string): SecretFile {
  let stats: Stats | undefined;
  try {
    stats = statSync(file, { throwIfNoEntry: false });
  } catch (error) {
    // A missing secrets folder or a dangling link is simply no file, as before (existsSync).
    if (errorCode(error) === 'ENOTDIR') return { status: 'absent' };
    return { status: 'refused', reason: `could not be examined (${errorCode(error)})` };
  }
  if (stats === undefined) return { status: 'absent' };
  const before = statsProblem(stats);
  if (before !== undefined) return { status: 'refused', reason: before };
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    return { status: 'refused', reason: `could not be opened (${errorCode(error)})` };
  }
  try {
    const after = statsProblem(fstatSync(fd));
    if (after !== undefined) return { status: 'refused', reason: after };
    const buffer = Buffer.alloc(MAX_SECRET_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length === buffer.length) return { status: 'refused', reason: `is larger than ${MAX_SECRET_FILE_BYTES} bytes` };
    }
    return { status: 'read', text: buffer.toString('utf8', 0, length) };
  } catch (error) {
    return { status: 'refused', reason: `could not be read (${errorCode(error)})` };
  } finally {
    closeSync(fd);
  }
}
