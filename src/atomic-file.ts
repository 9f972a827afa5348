/**
 * Crash-safe file writes, used by everything that persists state (run directories, checkpoints,
 * weights, the replay buffer): a file is written under a temporary name in the same directory,
 * flushed to disk, then renamed over the target, so a crash leaves the old file or the new one,
 * never a half-written one.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** A name next to `target` that nothing else uses, for a file or directory being written. */
export function tempName(target: string, tag = 'tmp'): string {
  return path.join(path.dirname(target), `${tag}-${path.basename(target)}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Writes `data` to `file` atomically (temporary file, fsync, rename); synchronous. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = tempName(file);
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Writes `data` to `file` atomically (temporary file, fsync, rename). */
export async function writeFileAtomicAsync(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempName(file);
  try {
    await writeFileDurable(tmp, data);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Writes and flushes `data` to `file` in place: for files given fresh names, which need no rename. */
export async function writeFileDurable(file: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a directory's entries, so that a rename in it survives a power loss (best effort: POSIX only). */
export async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* directories cannot be opened for syncing on every platform */
  }
}
