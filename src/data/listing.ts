/**
 * What each dataset kind hands to loadDataset: candidates with their
 * problems and warnings, before the split and the fingerprint.
 */
import type { Problem } from '../errors.js';
import type { Candidate } from './candidate.js';
import type { FileFacts } from './file-facts.js';

export interface Listing {
  classes: string[];
  /** All samples, or the training side when validation is given. */
  samples: Candidate[];
  /** A validation set given by the data itself (a separate folder). */
  validation?: Candidate[];
  problems: Problem[];
  warnings: string[];
  /** sha256 of each file's bytes, by absolute path. */
  contentHashes: Map<string, string>;
  /** The settings that decide pixels and labels, for the fingerprint. */
  settings: Record<string, unknown>;
  /** Set when the fingerprint comes from the settings alone (synthetic). */
  fingerprint?: string;
  /** Where "class X has no images" is reported. */
  classPath(name: string): string;
}

/**
 * Keeps the candidates whose file is an image. A file that cannot be read is
 * a problem (the data is broken on this machine, and skipping it would give
 * another fingerprint than a colleague's); a readable file that is not an
 * image (zero bytes, a text file named .png) is skipped with a warning, as
 * it is the same on every machine.
 */
export function screenCandidates(
  candidates: readonly Candidate[],
  facts: ReadonlyMap<string, FileFacts>,
  report: { problems: Problem[]; warnings: string[] },
  hashes: Map<string, string>,
): Candidate[] {
  const kept: Candidate[] = [];
  const reported = new Set<string>();
  for (const candidate of candidates) {
    const fact = facts.get(candidate.file);
    if (fact?.kind === 'image') {
      hashes.set(candidate.file, fact.sha256);
      kept.push(candidate);
      continue;
    }
    if (!fact || reported.has(candidate.source)) continue;
    reported.add(candidate.source);
    if (fact.kind === 'unreadable') {
      const message = `${fact.message}: ${candidate.file}`;
      report.problems.push({ path: candidate.source, message });
    } else {
      report.warnings.push(`${candidate.source}: skipped, ${fact.message}`);
    }
  }
  return kept;
}
