/** Diagnostic collection for the compiler stages (position: the model file, line 1). */
import type { Diagnostic } from '../util/index.js';

export class Diags {
  readonly list: Diagnostic[] = [];
  readonly file: string;
  constructor(file: string) {
    this.file = file;
  }
  error(code: string, message: string, hint?: string): void {
    this.list.push({ severity: 'error', code, message, file: this.file, line: 1, column: 1, ...(hint === undefined ? {} : { hint }) });
  }
  get failed(): boolean {
    return this.list.some((d) => d.severity === 'error');
  }
}
