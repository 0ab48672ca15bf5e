// Which entry systemd-boot starts, worked out from the ESP's files the way systemd-boot 252 does it: entries with
// no tries left last, then by sort-key, version (newest first) and id; loader.conf's `default` glob picks the first
// match. Read with mtools, independent of iios's own reader.
import { execa } from 'execa';
import { bytesOf, partByName, type GptPart } from './helper-checks.ts';

const env = { MTOOLS_SKIP_CHECK: '1' };

async function fat(disk: string, parts: GptPart[], args: string[]): Promise<string> {
  const { offset } = bytesOf(partByName(parts, 'IIOS-ESP'));
  return (await execa(args[0]!, [...args.slice(1, -1), '-i', `${disk}@@${offset}`, args.at(-1)!], { env })).stdout;
}

export async function entryNames(disk: string, parts: GptPart[]): Promise<string[]> {
  const out = await fat(disk, parts, ['mdir', '-b', '::/loader/entries']);
  return out.split('\n').map((l) => l.trim()).filter((l) => l.endsWith('.conf')).map((l) => l.slice(l.lastIndexOf('/') + 1)).sort();
}

export async function entryText(disk: string, parts: GptPart[], name: string): Promise<string> {
  return fat(disk, parts, ['mtype', `::/loader/entries/${name}`]);
}

const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);

/** The file name of the entry systemd-boot boots by default. */
export async function defaultEntry(disk: string, parts: GptPart[]): Promise<string | null> {
  const names = await entryNames(disk, parts);
  const loader = await fat(disk, parts, ['mtype', '::/loader/loader.conf']);
  const pattern = /^default\s+(\S+)/m.exec(loader)?.[1] ?? null;
  const entries = await Promise.all(
    names.map(async (name) => {
      const text = await entryText(disk, parts, name);
      const counter = /\+(\d+)(?:-\d+)?\.conf$/.exec(name);
      const id = name.replace(/\+\d+(?:-\d+)?\.conf$/, '.conf');
      return { name, id, bad: counter ? Number(counter[1]) === 0 : false, sortKey: /^sort-key\s+(\S+)/m.exec(text)?.[1] ?? '', version: /^version\s+(\S+)/m.exec(text)?.[1] ?? '' };
    }),
  );
  entries.sort((a, b) => Number(a.bad) - Number(b.bad) || a.sortKey.localeCompare(b.sortKey) || -a.version.localeCompare(b.version, undefined, { numeric: true }) || -a.id.localeCompare(b.id));
  const match = pattern ? entries.find((e) => glob(pattern).test(e.id)) : undefined;
  return (match ?? entries.find((e) => !e.bad) ?? null)?.name ?? null;
}
