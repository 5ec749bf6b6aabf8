/**
 * Rows as text in the three formats `query` offers. NULL stays visible in
 * each: `NULL` in a table, an empty unquoted field in CSV (an empty string
 * is `""`), `null` in JSON.
 */
import { formatTable } from '../cli/table.js';
import type { QueryResult } from './query-result.js';

export const ROW_FORMATS = ['table', 'csv', 'json'] as const;
export type RowFormat = (typeof ROW_FORMATS)[number];

export function formatRows(result: QueryResult, format: RowFormat): string {
  switch (format) {
    case 'table':
      return tableText(result);
    case 'csv':
      return csvText(result);
    case 'json':
      return jsonText(result);
  }
}

function tableText({ columns, rows }: QueryResult): string {
  const cells = rows.map((row) =>
    row.map((value) => {
      if (value === null || value === undefined) return 'NULL';
      return typeof value === 'number' ? value : plainText(value);
    }),
  );
  const count = `(${rows.length} row${rows.length === 1 ? '' : 's'})`;
  return `${formatTable(columns, cells)}\n${count}`;
}

/** RFC 4180: CRLF line ends; quote a field holding , " CR or LF. */
function csvText({ columns, rows }: QueryResult): string {
  const lines = [columns.map(csvField), ...rows.map((row) => row.map(csvValue))];
  return lines.map((fields) => fields.join(',')).join('\r\n');
}

function csvValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value === '') return '""';
  return csvField(plainText(value));
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * An array of objects keyed by column name. A name that repeats (two
 * tables' `id`) gets a suffix, `id:2`, so no value is lost.
 */
function jsonText({ columns, rows }: QueryResult): string {
  const keys = uniqueKeys(columns);
  const objects = rows.map((row) =>
    Object.fromEntries(keys.map((key, i) => [key, jsonValue(row[i])])),
  );
  return JSON.stringify(objects, null, 2);
}

function uniqueKeys(columns: string[]): string[] {
  const seen = new Map<string, number>();
  return columns.map((name) => {
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count === 1 ? name : `${name}:${count}`;
  });
}

function jsonValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'bigint' || Buffer.isBuffer(value)) return plainText(value);
  return value;
}

/** Text for a value: BLOBs as SQLite's hex literal, x'0aff'. */
function plainText(value: unknown): string {
  if (Buffer.isBuffer(value)) return `x'${value.toString('hex')}'`;
  return String(value);
}
