// What `sgdisk -v` says of a partition table, read the same way by the helper's read-back and by `iios verify`.
// sgdisk prints "No problems found" even when one of the two GPT headers (or entry arrays) is damaged and it
// rebuilt it in memory from the other: a stick whose backup header at its end was lost or changed. That is
// said only as "corrupt GPT" on stdout and "CRCs don't match" / "… header: ERROR" on stderr, so those count too.

const DAMAGED = /corrupt GPT|CRCs don't match|(header|partition table): ERROR|invalid (main|backup) GPT header/i;

/** null when sgdisk -v found the table whole, else its own lines that say what is wrong (stdout, then stderr). */
export function gptProblems(stdout: string, stderr: string): string | null {
  if (/No problems found/i.test(stdout) && !DAMAGED.test(stdout) && !DAMAGED.test(stderr)) return null;
  const lines = `${stdout}\n${stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^\*+$/.test(l));
  const damaged = lines.filter((l) => DAMAGED.test(l));
  return (damaged.length ? damaged : lines).slice(0, 4).join(' | ');
}
