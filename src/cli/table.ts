/**
 * Plain-text tables for the terminal: columns padded to their widest cell,
 * numbers right-aligned so that their digits line up.
 */
export type Cell = string | number | null | undefined;

export function formatTable(headers: string[], rows: Cell[][]): string {
  const text = rows.map((row) => row.map(cellText));
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...text.map((row) => row[column]?.length ?? 0)),
  );
  const numeric = headers.map((_, column) =>
    rows.length > 0 && rows.every((row) => isNumberLike(row[column])),
  );

  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        numeric[column]
          ? cell.padStart(widths[column]!)
          : cell.padEnd(widths[column]!),
      )
      .join('  ')
      .trimEnd();

  return [
    line(headers),
    line(widths.map((width) => '-'.repeat(width))),
    ...text.map(line),
  ].join('\n');
}

/** Numbers shown with enough digits to tell grid values apart, no more. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  if (Math.abs(value) < 1e-3 && value !== 0) return value.toExponential();
  return String(Number(value.toPrecision(6)));
}

function cellText(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  return typeof cell === 'number' ? formatNumber(cell) : cell;
}

function isNumberLike(cell: Cell): boolean {
  return cell === null || cell === undefined || typeof cell === 'number';
}

/** A duration as a person reads it: 45 s, 12 min, 3 h 05 min, 2 d 4 h. */
export function formatDuration(seconds: number): string {
  if (seconds < 10) return `${Number(seconds.toPrecision(2))} s`;
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}
