// The demo OS build's own progress and stop reasons, typed. resources/demo-os/build.sh, run by iios with
// IIOS_DEMO_EVENTS=1, prints each as a tab-separated line ("@iios-demo" or "@iios-demo-fail", its key, then its
// fields in the order the schema below lists them); the app reads them back here and says them in the reader's
// language (src-shared/errors/demo-build-words.ts). Every other line on the script's stderr is a tool's own output.
import * as z from 'zod';

const line = <K extends string, S extends z.ZodRawShape>(key: K, shape: S) => z.object({ key: z.literal(key), ...shape });
const s = z.string();
const n = z.number().nonnegative();

export const DemoBuildLineSchema = z.discriminatedUnion('key', [
  /** A host of another release: Debian's archive through a private apt state in `dir`. */
  line('private-apt', { host: s, suite: s, dir: s }),
  line('apt-update', { suite: s }),
  line('downloading', { name: s, version: s }),
  /** A pinned package left the archive; `now` is what is used instead. */
  line('pin-replaced', { name: s, version: s, now: s }),
  line('up-to-date', { hash: s }),
  line('building', { hash: s }),
  line('kernel', { release: s }),
  line('ready', { bytes: n, dir: s, rootHash: s }),
]);
export type DemoBuildLine = z.infer<typeof DemoBuildLineSchema>;

export const DemoBuildStopSchema = z.discriminatedUnion('key', [
  line('missing-tool', { tool: s }),
  line('no-keyring', { suite: s }),
  line('no-archive', { suite: s }),
  line('pin-gone', { name: s, version: s }),
  line('no-package', { name: s }),
  line('download-failed', { name: s, version: s }),
  line('broken-package', { name: s }),
  line('no-kernel', { release: s }),
  line('no-module', { module: s, release: s }),
  line('verity-failed', {}),
  line('over-budget', { bytes: n, budget: n }),
]);
export type DemoBuildStop = z.infer<typeof DemoBuildStopSchema>;

export type ParsedDemoLine = { kind: 'line'; line: DemoBuildLine } | { kind: 'stop'; stop: DemoBuildStop } | { kind: 'tool'; text: string };

/** Reads `values` into the fields of `key`'s schema in their order (numbers from digits); null when they do not fit. */
function typed<T>(union: z.ZodDiscriminatedUnion<z.ZodObject<z.ZodRawShape>[], 'key'>, key: string, values: string[]): T | null {
  const schema = union.options.find((o) => (o.shape.key as z.ZodLiteral<string>).value === key);
  if (!schema) return null;
  const fields = Object.keys(schema.shape).filter((f) => f !== 'key');
  if (values.length !== fields.length) return null;
  const raw: Record<string, unknown> = { key };
  for (const [i, f] of fields.entries()) raw[f] = schema.shape[f] instanceof z.ZodNumber ? (/^\d+$/.test(values[i]!) ? Number(values[i]) : NaN) : values[i];
  const parsed = schema.safeParse(raw);
  return parsed.success ? (parsed.data as T) : null;
}

/** One stderr line of build.sh: a typed line of a known key with all its fields, else the tools' own output. */
export function parseDemoBuildLine(text: string): ParsedDemoLine {
  const [tag, key = '', ...values] = text.split('\t');
  if (tag === '@iios-demo') {
    const l = typed<DemoBuildLine>(DemoBuildLineSchema as never, key, values);
    if (l) return { kind: 'line', line: l };
  } else if (tag === '@iios-demo-fail') {
    const stop = typed<DemoBuildStop>(DemoBuildStopSchema as never, key, values);
    if (stop) return { kind: 'stop', stop };
  }
  return { kind: 'tool', text };
}
