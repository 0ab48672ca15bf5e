// `--json` for every job command: each of the job's events as one line of JSON on stdout (the shared EventLine
// schema, checked before it is printed), so scripts and benchmarks follow a job without scraping text. In this
// mode nothing else goes to stdout: whatever a human reads goes to stderr (see humanOut).
import { EventLine, eventLine } from '../../src-shared/job/event-line.ts';
import type { JobEvent } from '../../src-shared/job/events.ts';
import type { CommandIO } from './command.ts';

/** The option every job command declares for it. */
export const JSON_OPTION = { json: { type: 'boolean' as const } };

export interface JobTargets {
  targets: readonly { id: string; path: string }[];
}

/** A listener for a job's events that prints each as one EventLine on `out`. */
export function jsonEventPrinter(out: Pick<NodeJS.WritableStream, 'write'>, now: () => Date = () => new Date()) {
  return (notice: { jobId: string; event: JobEvent }, job: JobTargets): void => {
    const line = eventLine(notice.jobId, notice.event, now(), (id) => job.targets.find((t) => t.id === id)?.path ?? null);
    // The same schema a script reads it with: a line that does not parse is a bug here, not the script's problem.
    out.write(JSON.stringify(EventLine.parse(line)) + '\n');
  };
}

/** Where human text goes: stdout normally, stderr when stdout carries JSON lines. */
export function humanOut(io: CommandIO, json: boolean): CommandIO['stdout'] {
  return json ? (io.stderr as CommandIO['stdout']) : io.stdout;
}
