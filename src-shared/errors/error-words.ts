// The words for the services' typed errors and results, in the reader's language: the services send kinds and
// numbers (src-shared/contract/error-details.ts), and the GUI and the CLI say them with t() here, so a German GUI
// never shows the English text the main process put into the envelope's message. Only what has no typed form (a
// tool's own output, a path rule's sentence) falls back to the message as it came.
import type { ErrorDetails, ErrorDetailsOf } from '../contract/error-details.ts';
import { formatBytesApart } from '../format/bytes.ts';
import { failureWords } from './failure-words.ts';
import { fieldIssueWords } from './field-words.ts';
import { t, type PlainKey } from '../i18n/index.ts';
import { UNSAFE } from './unsafe-words.ts';
import { imageFolderWords, imagePathWords } from './rule-words.ts';
import { planProblemWords } from './plan-words.ts';
import { demoBuildErrorWords } from './demo-build-words.ts';

export { UNSAFE };

type ElevationDetails = ErrorDetailsOf<'elevation'>;

const ADVICE: Record<ElevationDetails['reason'], PlainKey> = {
  'no-tool': 'elevation.advice.no-tool',
  'no-authority': 'elevation.advice.no-authority',
  'no-agent': 'elevation.advice.no-agent',
  dismissed: 'elevation.advice.dismissed',
  'not-authorized': 'elevation.advice.not-authorized',
  'needs-password': 'elevation.advice.needs-password',
  'helper-failed': 'elevation.advice.helper-failed',
};

/**
 * Why getting administrator rights failed and what to do, with the tool's own words quoted (they are the tool's,
 * untranslated) and "Nothing was written." after every reason but a helper's own failure. Starts in lower case:
 * it follows "iios:" in a terminal (the GUI starts it as a sentence).
 */
export function elevationAdvice(d: Pick<ElevationDetails, 'reason' | 'tool' | 'said'>): string {
  if (d.reason === 'no-tool' && d.tool) {
    return `${t(d.tool === 'sudo' ? 'elevation.advice.noSudo' : 'elevation.advice.noPkexec')} ${t('elevation.nothingWritten')}`;
  }
  const said = d.said ? ` ${t('elevation.said', { tool: d.tool ?? 'pkexec', said: d.said })}` : '';
  return `${t(ADVICE[d.reason])}${said} ${d.reason === 'helper-failed' ? '' : t('elevation.nothingWritten')}`.trim();
}

/** Both routes failed (polkit, then a terminal's sudo): both said, so the user sees each way out. */
export function elevationBothAdvice(polkit: Pick<ElevationDetails, 'reason' | 'tool' | 'said'>, sudo: Pick<ElevationDetails, 'reason' | 'tool' | 'said'>): string {
  const first = elevationAdvice(polkit).replace(` ${t('elevation.nothingWritten')}`, '');
  return t('elevation.thenSudo', { polkit: first, sudo: elevationAdvice(sudo) });
}

const JOB_ENDED = {
  'connection-closed': 'error.jobEnded.connection-closed',
  'no-connect': 'error.jobEnded.no-connect',
  'no-result': 'error.jobEnded.no-result',
} as const satisfies Record<Exclude<ErrorDetailsOf<'job-ended'>['why'], 'helper-error'>, PlainKey>;

/** "refused …: x" -> "Refused …: x.": a failure's words (made to follow a name) as a sentence of their own. */
function sentence(words: string): string {
  const s = words.charAt(0).toUpperCase() + words.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

const BUNDLE_PLAIN = { 'no-manifest': 'error.bundle.no-manifest', manifest: 'error.bundle.manifest' } as const satisfies Record<string, PlainKey>;

/**
 * An error in the reader's language: its typed details said with the catalogue, else `message` as it came (a
 * failure without details, or a path rule whose own sentence says more than its kind).
 */
export function detailsWords(details: ErrorDetails | null | undefined, message: string): string {
  if (!details) return message;
  switch (details.kind) {
    case 'too-small': {
      const [size, needed] = formatBytesApart(details.targetBytes, details.neededBytes);
      const vars = { size, needed, profile: details.profileId };
      return details.target ? t('error.tooSmallTarget', { ...vars, target: details.target }) : t('error.tooSmall', vars);
    }
    case 'plan-input':
      if (details.reason === 'size-unknown') return t('planInput.size-unknown', { path: details.path ?? '?', compression: details.compression ?? '?' });
      return t(details.reason === 'no-bundle' ? 'planInput.no-bundle' : 'planInput.raw-needs-image');
    case 'plan':
      return details.target ? t('preflight.plan', { path: details.target, problem: planProblemWords(details.problem) }) : sentence(planProblemWords(details.problem));
    case 'unsafe-target':
      if (details.pathProblem) return imagePathWords(details.pathProblem);
      if (details.folderProblem) return imageFolderWords(details.folderProblem);
      return t(UNSAFE[details.reason], { target: details.target });
    case 'bundle':
      // a manifest refused by its schema: each field's problem, when every one is typed
      if (details.problem === 'manifest' && details.issues?.length && details.issues.every((i) => i.said)) {
        return t('error.bundle.manifest-issues', { issues: details.issues.map(fieldIssueWords).join(' ') });
      }
      if (details.problem === 'no-manifest' || details.problem === 'manifest') return t(BUNDLE_PLAIN[details.problem]);
      if (details.problem === 'missing-file') return t('error.bundle.missing-file', { file: details.file ?? '?' });
      if (details.problem === 'wrong-size') return t('error.bundle.wrong-size', { file: details.file ?? '?', actual: Number(details.actual), expected: Number(details.expected) });
      return t('error.bundle.wrong-hash', { file: details.file ?? '?' });
    case 'busy':
      return t('error.busy', { jobId: details.jobId });
    case 'helper-failed':
      return details.stage === 'socket' ? t('error.helperFailed.socket') : t('error.helperFailed.launch');
    case 'elevation':
      return details.both ? elevationBothAdvice(details.both.polkit, details.both.sudo) : elevationAdvice(details);
    case 'cancelled':
      return t('error.cancelled');
    case 'job-refused': {
      // one sentence per different failure: ten sticks refused for one reason say it once
      const said = [...new Set(details.failures.map((f) => sentence(failureWords(f, ''))))];
      return said.length ? t('error.jobRefused', { failures: said.join(' ') }) : message;
    }
    case 'job-ended':
      return details.why === 'helper-error' ? t('error.jobEnded.helper-error', { text: details.text ?? message }) : t(JOB_ENDED[details.why]);
    case 'invalid': {
      // each field said from its typed issue; issues from an older sender (no typed form) as the message came
      if (!details.issues.length || !details.issues.every((i) => i.said)) return message;
      const words = details.issues.map(fieldIssueWords).join(' ');
      return details.file ? `${details.file}: ${words}` : words;
    }
    case 'demo-build':
      return demoBuildErrorWords(details);
  }
}

/** The one line a failed call shows: its typed details in the reader's language, else its message. */
export function errorWords(err: unknown): string {
  if (err instanceof Error) {
    const details = (err as { details?: ErrorDetails }).details;
    return detailsWords(details && typeof details === 'object' && 'kind' in details ? details : undefined, err.message);
  }
  return String(err);
}
