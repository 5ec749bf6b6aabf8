/**
 * A fake terminal for rendering tests: it keeps what was written and
 * replays the few ANSI sequences the progress display uses (cursor up,
 * erase down, hide and show the cursor) onto a screen of lines.
 */
export class FakeTerminal {
  readonly columns: number;
  rows: number | undefined;
  readonly chunks: string[] = [];

  constructor(columns = 80, rows?: number) {
    this.columns = columns;
    this.rows = rows;
  }

  write(text: string): boolean {
    this.chunks.push(text);
    return true;
  }

  get output(): string {
    return this.chunks.join('');
  }

  /** The screen after every write: one string per line, the cursor's last. */
  screen(): { lines: string[]; cursor: { row: number; column: number }; hidden: boolean } {
    const lines: string[] = [''];
    let row = 0;
    let column = 0;
    let hidden = false;
    const text = this.output;

    for (let i = 0; i < text.length; i++) {
      const char = text[i]!;
      if (char === '\x1b') {
        const match = /^\x1b\[(\??)(\d*)([A-Za-z])/.exec(text.slice(i));
        if (!match) throw new Error(`unknown escape at ${i}: ${JSON.stringify(text.slice(i, i + 8))}`);
        const [whole, private_, count, command] = match;
        i += whole.length - 1;
        if (private_ === '?' && count === '25') hidden = command === 'l';
        else if (command === 'A') row = Math.max(0, row - Number(count || 1));
        else if (command === 'J') {
          lines[row] = lines[row]!.slice(0, column);
          lines.length = row + 1;
        } else throw new Error(`unexpected escape ${JSON.stringify(whole)}`);
      } else if (char === '\r') {
        column = 0;
      } else if (char === '\n') {
        row++;
        column = 0;
        if (lines.length <= row) lines.push('');
      } else {
        const line = lines[row]!.padEnd(column);
        lines[row] = line.slice(0, column) + char + line.slice(column + 1);
        column++;
      }
    }
    return { lines, cursor: { row, column }, hidden };
  }
}
