/**
 * A node:test reporter for `npm run test:faults`: after the run, a summary
 * of every case by group, with its result and what it checked (the
 * `checks:` diagnostic each case records). node:test loads reporters by
 * their default export, hence the one default export in the project.
 */
interface Row {
  group: string;
  name: string;
  result: 'pass' | 'FAIL' | 'skip';
  detail: string;
}

interface ReporterEvent {
  type: string;
  data: {
    name?: string;
    nesting?: number;
    message?: string;
    skip?: boolean | string;
    details?: { error?: { message?: string; cause?: { message?: string } } };
  };
}

export default async function* summaryReporter(
  source: AsyncIterable<ReporterEvent>,
): AsyncGenerator<string> {
  const rows: Row[] = [];
  let group = '';
  let last: Row | undefined;

  for await (const { type, data } of source) {
    if (type === 'test:start' && data.nesting === 0) group = data.name ?? '';
    if ((type === 'test:pass' || type === 'test:fail') && data.nesting === 1) {
      const skipped = data.skip !== undefined && data.skip !== false;
      last = {
        group: group.replace(/^faults: /, ''),
        name: data.name ?? '',
        result: type === 'test:fail' ? 'FAIL' : skipped ? 'skip' : 'pass',
        detail:
          type === 'test:fail'
            ? firstLine(data.details?.error?.cause?.message ?? data.details?.error?.message)
            : skipped && typeof data.skip === 'string'
              ? data.skip
              : '',
      };
      rows.push(last);
    }
    if (type === 'test:diagnostic' && data.nesting === 1 && last) {
      const message = data.message ?? '';
      if (message.startsWith('checks: ') && last.result === 'pass') {
        last.detail = message.slice('checks: '.length);
      }
    }
  }

  yield* summary(rows);
}

function* summary(rows: Row[]): Generator<string> {
  const count = (result: Row['result']) => rows.filter((row) => row.result === result).length;
  yield '\n';
  yield `fault suite: ${rows.length} cases, ${count('pass')} passed, ` +
    `${count('FAIL')} failed, ${count('skip')} skipped\n`;
  const groups = [...new Set(rows.map((row) => row.group))];
  for (const group of groups) {
    const inGroup = rows.filter((row) => row.group === group);
    const passed = inGroup.filter((row) => row.result === 'pass').length;
    yield `\n${group} (${passed}/${inGroup.length} passed)\n`;
    for (const row of inGroup) {
      yield `  ${row.result}  ${row.name}${row.detail ? `\n        ${row.detail}` : ''}\n`;
    }
  }
}

function firstLine(text: string | undefined): string {
  return (text ?? 'failed').split('\n')[0]!.slice(0, 200);
}
