/**
 * Reads just enough of an HDF5 superblock to tell, before the HDF5 library sees the file, whether
 * it is HDF5 at all and whether it is whole. The library would otherwise print pages of
 * diagnostics and, for h5wasm, sometimes hand back a file handle that fails later.
 *
 * Facts from the HDF5 file format specification: the 8-byte signature sits at offset 0, 512,
 * 1024, 2048, ... (a user block may precede it); the superblock records its base address and the
 * end-of-file address (relative to the base), whose position depends on the superblock version.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** What the superblock says, or why the file is not usable. */
export type SuperblockCheck =
  | { ok: true; version: number; size: number; endOfFile: number }
  | { ok: false; reason: 'not-hdf5' | 'truncated'; message: string };

/** Checks the signature and the recorded file size of the HDF5 file `file`. */
export function checkSuperblock(file: string): SuperblockCheck {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    for (let at = 0; at + 8 <= size; at = at === 0 ? 512 : at * 2) {
      const head = Buffer.alloc(96);
      const got = readSync(fd, head, 0, head.length, at);
      if (!SIGNATURE.every((b, i) => head[i] === b)) continue;
      return readEndOfFile(head.subarray(0, got), at, size);
    }
    return { ok: false, reason: 'not-hdf5', message: `not an HDF5 file (no HDF5 signature in its ${size} bytes)` };
  } finally {
    closeSync(fd);
  }
}

function readEndOfFile(head: Buffer, at: number, size: number): SuperblockCheck {
  const truncated = (detail: string): SuperblockCheck => ({ ok: false, reason: 'truncated', message: `truncated HDF5 file: ${detail}` });
  if (head.length < 12) return truncated(`the file ends inside its superblock (${size} bytes)`);
  const version = head[8];
  let offsetSize: number;
  let baseAt: number;
  if (version === 0 || version === 1) {
    offsetSize = head[13];
    baseAt = version === 0 ? 24 : 28;
  } else if (version === 2 || version === 3) {
    offsetSize = head[9];
    baseAt = 12;
  } else {
    // A newer superblock: leave the checks to the library.
    return { ok: true, version, size, endOfFile: size };
  }
  if (![2, 4, 8].includes(offsetSize)) return { ok: false, reason: 'not-hdf5', message: `not a valid HDF5 file (superblock offset size ${offsetSize})` };
  const eofAt = baseAt + 2 * offsetSize;
  if (head.length < eofAt + offsetSize) return truncated(`the file ends inside its superblock (${size} bytes)`);
  const base = readAddress(head, baseAt, offsetSize);
  const eof = readAddress(head, eofAt, offsetSize);
  // Addresses are relative to the base address, which is normally where the signature is.
  const endOfFile = (base ?? at) + (eof ?? 0);
  if (eof !== null && size < endOfFile) return truncated(`it has ${size} bytes, its superblock records ${endOfFile}`);
  return { ok: true, version, size, endOfFile };
}

/** A little-endian address, or null for HDF5's "undefined address" (all bits set). */
function readAddress(buf: Buffer, at: number, bytes: number): number | null {
  let value = 0n;
  let allOnes = true;
  for (let i = bytes - 1; i >= 0; i--) {
    value = (value << 8n) | BigInt(buf[at + i]);
    if (buf[at + i] !== 0xff) allOnes = false;
  }
  return allOnes ? null : Number(value);
}
