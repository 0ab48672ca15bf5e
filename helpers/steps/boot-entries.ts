// The ESP's text files (design.md, "On-stick format"): loader.conf and one Boot Loader Specification entry per slot, with
// boot counting (+3). Pure string building, so it is easy to read next to the contract.
import type { BundleManifest } from '../../src-shared/profile/bundle-manifest.ts';

export type Slot = 'a' | 'b' | 'system';

export function loaderConf(writable: boolean): string {
  return [`default ${writable ? 'iios-system*' : 'iios-a*'}`, 'timeout 0', 'console-mode keep', 'editor no', ''].join('\n');
}

export function entryFileName(slot: Slot): string {
  return `iios-${slot}+3.conf`;
}

export function bootEntry(m: BundleManifest, slot: Slot, opts: { kiosk: boolean }): string {
  let options: string;
  if (slot === 'system') {
    options = `${m.cmdline} iios.mode=writable iios.slot=system iios.root=PARTLABEL=iios-system`;
  } else {
    if (!m.verity) throw new Error(`bundle ${m.name} has no verity hash tree; A/B slots need one`);
    options =
      `${m.cmdline} iios.mode=ab iios.slot=${slot} iios.roothash=${m.verity.rootHash}` +
      ` iios.root=PARTLABEL=iios-root-${slot} iios.verity=PARTLABEL=iios-verity-${slot} iios.data=PARTLABEL=iios-data`;
    if (opts.kiosk) options += ' iios.payload=PARTLABEL=iios-payload';
  }
  return [
    `title iios ${m.name} ${m.version} (${slot === 'system' ? 'system' : `slot ${slot}`})`,
    `version ${m.version}`,
    `sort-key iios-${slot}`,
    `linux /iios/${slot}/vmlinuz`,
    `initrd /iios/${slot}/initrd.img`,
    `options ${options.trim().replace(/\s+/g, ' ')}`,
    '',
  ].join('\n');
}

/**
 * A writable stick's boot menu entries that put the system back to its factory snapshot before it starts (the
 * initramfs's iios.reset): one that empties @home, one that keeps it. Named outside `iios-system*`, so never the
 * default; the menu shows them when a key is held at power-on.
 */
export function resetEntries(m: BundleManifest): [string, string][] {
  const entry = (how: 'factory' | 'factory-keep-home', title: string) =>
    [
      `title ${title}`,
      `version ${m.version}`,
      `sort-key iios-z-${how}`,
      'linux /iios/system/vmlinuz',
      'initrd /iios/system/initrd.img',
      `options ${`${m.cmdline} iios.mode=writable iios.slot=system iios.root=PARTLABEL=iios-system iios.reset=${how}`.trim().replace(/\s+/g, ' ')}`,
      '',
    ].join('\n');
  return [
    ['iios-reset.conf', entry('factory', `Reset ${m.name} to factory (erases the system's changes and home)`)],
    ['iios-reset-keep-home.conf', entry('factory-keep-home', `Reset ${m.name} to factory, keep home`)],
  ];
}
