// The names a user gives the places sticks are plugged in ("left hub, 3"), as GNOME MultiWriter names its hub's
// ports: kept in the user's config, ~/.config/iios/port-labels.json ($XDG_CONFIG_HOME honoured), keyed by the
// place's stable key (src-shared/drives/usb-port.ts placeKeyOf: a USB port's controller and port chain, a loop
// device's backing file). A missing or damaged file is no names, never an error; a write replaces the file whole.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { PORT_LABEL_MAX, type PortLabels } from '../../../src-shared/contract/domains/drives.ts';

/** ~/.config/iios/port-labels.json, or under $XDG_CONFIG_HOME when it is an absolute path (as the spec says). */
export function portLabelsPath(env: Readonly<Record<string, string | undefined>> = process.env, home: string = homedir()): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(home, '.config');
  return join(base, 'iios', 'port-labels.json');
}

/** A label as it is kept: spaces trimmed and runs of white space made one; empty means no label. */
export function cleanLabel(label: string): string {
  return label.replace(/\s+/g, ' ').trim().slice(0, PORT_LABEL_MAX);
}

export class PortLabelStore {
  /** Writes one after another, so two renames in quick succession both land. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string = portLabelsPath()) {}

  /** Every name given, by place key. */
  async all(): Promise<PortLabels> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return {};
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
      const out: PortLabels = {};
      for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string' && cleanLabel(value)) out[key] = cleanLabel(value);
      return out;
    } catch {
      return {};
    }
  }

  /** Names a place (an empty or null label forgets its name); returns every name after the change. */
  set(key: string, label: string | null): Promise<PortLabels> {
    const run = this.queue.then(async () => {
      const labels = await this.all();
      const clean = label === null ? '' : cleanLabel(label);
      if (clean) labels[key] = clean;
      else delete labels[key];
      await mkdir(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, `${JSON.stringify(labels, null, 2)}\n`, { mode: 0o644 });
      await rename(tmp, this.file);
      return labels;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
