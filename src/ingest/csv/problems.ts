import type { Diagnostic, ImportSink } from '../types';

export interface Problem {
  readonly message: string;
  readonly severity?: Diagnostic['severity'];
  /** 1-based line number. */
  readonly line?: number;
  readonly position?: string;
}

export interface ProblemReporter {
  report(problem: Problem): void;
  /** Emits one summary for the problems that went over the budget. */
  finish(): void;
}

/**
 * Diagnostics for one file and one import, capped: a column of text in a 50,000-row file must give a
 * readable Problems view, not 50,000 entries.
 */
export function problemReporter(sink: ImportSink, file: string, budget = 20): ProblemReporter {
  let reported = 0;
  let suppressed = 0;
  return {
    report(problem) {
      if (reported >= budget) {
        suppressed++;
        return;
      }
      reported++;
      const position = problem.position ?? (problem.line !== undefined ? `line ${problem.line}` : undefined);
      sink.diagnostic({
        file,
        message: problem.message,
        severity: problem.severity ?? 'warning',
        ...(position !== undefined ? { position } : {}),
        ...(problem.line !== undefined ? { line: problem.line - 1 } : {}),
      });
    },
    finish() {
      if (suppressed > 0) {
        sink.diagnostic({ file, message: `${suppressed} more problem(s) in this file were not listed`, severity: 'warning' });
        suppressed = 0;
      }
    },
  };
}
