import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A log file written with synchronous appends. Logging happens a few times per training step, so a
 * blocking write is cheap and keeps records in order without any promise juggling; a crash loses at
 * most what the OS has not flushed yet.
 */
export class AppendFile {
  private fd: number | undefined;

  /**
   * @param path file to write; parent directories are created.
   * @param flags `'a'` appends to an existing file, `'w'` truncates, `'wx'` insists the file is new.
   */
  constructor(
    readonly path: string,
    flags: 'a' | 'w' | 'wx',
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, flags);
  }

  /** True once `close()` ran. */
  get closed(): boolean {
    return this.fd === undefined;
  }

  /** Appends `data` in full. */
  write(data: Uint8Array | string): void {
    if (this.fd === undefined) throw new Error(`AppendFile: ${this.path} is closed.`);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let written = 0;
    while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written);
  }

  /** Forces written data to disk. */
  sync(): void {
    if (this.fd !== undefined) fsyncSync(this.fd);
  }

  /** Syncs and closes; later calls do nothing. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
