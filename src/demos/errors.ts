/**
 * The one error type of demonstration files: its message names the file, and where it applies
 * the episode and the dataset, so that a user sees what to fix instead of a stack trace from
 * inside the HDF5 library.
 */
export class DemoFileError extends Error {
  override readonly name = 'DemoFileError';
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`demonstrations ${file}: ${message}`, options);
    this.file = file;
  }
}
