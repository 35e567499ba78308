/**
 * Redraws a block of lines in place on a terminal (cursor up, clear down), or, when the
 * output is a pipe or a file, prints each new picture once so logs stay readable.
 */
import { clearScreenDown, moveCursor } from 'node:readline';

export class LiveBlock {
  private drawn = 0;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  draw(lines: readonly string[]): void {
    if (this.out.isTTY) {
      if (this.drawn > 0) {
        moveCursor(this.out, 0, -this.drawn);
        clearScreenDown(this.out);
      }
      this.drawn = lines.length;
    }
    this.out.write(`${lines.join('\n')}\n`);
  }
}
