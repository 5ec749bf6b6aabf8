/**
 * Reading an experiment file: YAML or JSON on disk, through the schema and
 * then the cross-field rules. Every problem is collected and thrown together
 * as one InputError, so a person fixes their file in one pass.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

import { parseDocument } from 'yaml';
import type { z } from 'zod';

import { InputError, type Problem } from '../errors.js';
import { problemsFromIssues } from './problems.js';
import { checkRules, type RuleOptions } from './rules.js';
import { experimentSchema, type Experiment } from './schema.js';

/** Experiment files are hand-written: anything larger is a mistake. */
export const MAX_FILE_BYTES = 1024 * 1024;

export interface LoadedExperiment {
  experiment: Experiment;
  /** Absolute path of the file read. */
  file: string;
  /** Folder that relative paths in the file resolve from. */
  baseDir: string;
  /** Problems worth telling, that do not stop the run. */
  warnings: Problem[];
}

export async function loadExperimentFile(
  file: string,
  options: RuleOptions = {},
): Promise<LoadedExperiment> {
  const absolute = path.resolve(file);
  const text = await readExperimentText(absolute, file);
  const raw = parseText(text, file);
  const { experiment, warnings } = validateExperiment(raw, file, options);
  return { experiment, file: absolute, baseDir: path.dirname(absolute), warnings };
}

/** Both validation passes over an already parsed document. */
export function validateExperiment(
  raw: unknown,
  source: string,
  options: RuleOptions = {},
): { experiment: Experiment; warnings: Problem[] } {
  const parsed = experimentSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = problemsFromIssues(parsed.error.issues, raw, (at) =>
      keysAt(raw, at),
    );
    throw invalid(source, problems);
  }
  const report = checkRules(parsed.data, options);
  if (report.errors.length > 0) throw invalid(source, report.errors);
  return { experiment: parsed.data, warnings: report.warnings };
}

async function readExperimentText(absolute: string, shown: string): Promise<string> {
  const info = await stat(absolute).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(
      'E_EXPERIMENT',
      `cannot read experiment file ${shown}: ${
        error.code === 'ENOENT' ? 'no such file' : error.message
      }`,
      [],
      { cause: error },
    );
  });
  if (info.isDirectory()) {
    throw new InputError(
      'E_EXPERIMENT',
      `${shown} is a folder; expected an experiment file (.yaml, .yml or .json)`,
    );
  }
  if (info.size > MAX_FILE_BYTES) {
    throw new InputError(
      'E_EXPERIMENT',
      `${shown} is ${(info.size / 1024 / 1024).toFixed(1)} MiB; an experiment ` +
        `file is at most ${MAX_FILE_BYTES / 1024 / 1024} MiB. Is this the right file?`,
    );
  }
  return readFile(absolute, 'utf8');
}

/** YAML is a superset of JSON, so one parser reads both with line numbers. */
function parseText(text: string, source: string): unknown {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    const problems = document.errors.map((error) => {
      const where = error.linePos?.[0];
      return {
        path: where ? `line ${where.line}, column ${where.col}` : source,
        message: (error.message.split('\n')[0] ?? '').replace(
          / at line \d+, column \d+:?$/,
          '',
        ),
      };
    });
    throw invalid(source, problems, 'is not valid YAML or JSON');
  }
  const value: unknown = document.toJS();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(
      'E_EXPERIMENT',
      `${source}: expected a mapping of keys (name, dataset, grid, ...), ` +
        `received ${value === null ? 'an empty document' : Array.isArray(value) ? 'a list' : typeof value}`,
    );
  }
  return value;
}

function invalid(
  source: string,
  problems: Problem[],
  what = 'is not a valid experiment',
): InputError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new InputError('E_EXPERIMENT', `${source} ${what} (${count})`, problems);
}

/** The keys the schema allows at a path, to suggest the one a typo meant. */
function keysAt(raw: unknown, at: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType | undefined = experimentSchema;
  let value = raw;
  for (const key of at) {
    schema = schema && childSchema(unwrap(schema), value, key);
    value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  }
  const shape = schema && objectShape(unwrap(schema), value);
  return shape ? Object.keys(shape) : [];
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  const def = schema._zod.def as { innerType?: z.core.$ZodType };
  return def.innerType ? unwrap(def.innerType) : schema;
}

function objectShape(
  schema: z.core.$ZodType,
  value: unknown,
): Record<string, z.core.$ZodType> | undefined {
  const def = schema._zod.def as {
    type: string;
    shape?: Record<string, z.core.$ZodType>;
    options?: z.core.$ZodType[];
  };
  if (def.type === 'object') return def.shape;
  if (def.type === 'union' && def.options) {
    const kind = (value as { kind?: unknown } | undefined)?.kind;
    for (const option of def.options) {
      const shape = objectShape(unwrap(option), value);
      const literal = shape?.kind?._zod.def as { values?: unknown[] } | undefined;
      if (literal?.values?.includes(kind)) return shape;
    }
  }
  return undefined;
}

function childSchema(
  schema: z.core.$ZodType,
  value: unknown,
  key: PropertyKey,
): z.core.$ZodType | undefined {
  return objectShape(schema, value)?.[String(key)];
}

