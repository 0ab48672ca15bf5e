// The wizard's WizardApi over the typed contract client (window.iios wrapped by createIiosClient): the one
// place where contract shapes become the store's view shapes.
import { errorText } from './error-text.ts';
import { IiosError, type IiosClient, type InvokeResult } from '../../src-shared/contract/index.ts';
import type { BundleView, WizardApi } from './types.ts';

export function createWizardApi(client: IiosClient): WizardApi {
  return {
    listDrives: () => client.invoke('drives.list'),
    onDrivesChanged: (listener) => client.on('drives.changed', (p) => listener(p.drives)),
    async listProfiles() {
      const profiles = await client.invoke('profiles.list');
      return profiles.map((p) => ({
        id: p.id,
        title: p.title,
        description: p.description,
        source: p.mode === 'raw' ? 'image' : 'bundle',
        payload: p.partitions.some((part) => part.role === 'payload'),
        persistence: p.mode === 'raw' ? (p.raw?.persistence?.enabled ?? false) : null,
      }));
    },
    async defaultBundle() {
      const info = await client.invoke('bundles.default');
      return info ? bundleView(info) : null;
    },
    listLibrary: () => client.invoke('bundles.library'),
    async inspectSource(path, want) {
      if (want === 'image') {
        const info = await client.invoke('images.inspect', { path });
        return { kind: 'image', path: info.path, sizeBytes: info.uncompressedBytes ?? info.fileBytes, compression: info.compression === 'none' ? null : info.compression };
      }
      // A bundle the user names is checked fully (every file's sha256), so a broken one is refused here.
      return bundleView(await client.invoke('bundles.inspect', { dir: path, verify: true }));
    },
    async computePlan(profileId, source, targetBytes, options = {}) {
      try {
        const where = source.kind === 'bundle' ? { bundleDir: source.dir } : { imagePath: source.path };
        const { plan } = await client.invoke('plan.compute', { profile: profileId, targetBytes, ...where, ...options });
        return { ok: true, plan };
      } catch (err) {
        // A too-small target's error carries the bytes the profile needs, as a number; its words are the reader's.
        const details = err instanceof IiosError ? err.details : undefined;
        return { ok: false, reason: errorText(err), minBytes: details?.kind === 'too-small' ? details.neededBytes : null };
      }
    },
    checkImageFolder: (path, sizeBytes, writeBytes) => client.invoke('drives.checkImageFolder', { path, sizeBytes, writeBytes }),
    listCaches: () => client.invoke('caches.list'),
    listCacheSets: () => client.invoke('cachesets.list'),
    openCacheSet: (file) => client.invoke('cachesets.open', { set: file }),
    buildCacheSet: (set) => client.invoke('cachesets.build', { set }),
    onCacheSetProgress: (listener) => client.on('cachesets.progressed', listener),
    startJob: (request) => client.invoke('jobs.start', request),
    inspectStick: (path) => client.invoke('sticks.inspect', { path }),
    startClone: (request) => client.invoke('jobs.clone', request),
    startUpdate: (request) => client.invoke('jobs.update', request),
    startPayload: (request) => client.invoke('jobs.payload', request),
    async cancelJob() {
      await client.invoke('jobs.cancel');
    },
    currentJob: () => client.invoke('jobs.current'),
    onJobEvent: (listener) => client.on('jobs.event', listener),
    async eject(driveId) {
      return client.invoke('drives.eject', { id: driveId });
    },
    async unmount(driveId) {
      await client.invoke('drives.unmount', { id: driveId });
    },
    portLabels: () => client.invoke('drives.portLabels'),
    setPortLabel: (key, label) => client.invoke('drives.setPortLabel', { key, label }),
    nativePickers: async () => (await client.invoke('app.info')).nativePickers,
    async pickPath(request) {
      const picked = await client.invoke('app.pickPath', request);
      return picked.cancelled ? null : picked.paths;
    },
  };
}

function bundleView(b: InvokeResult<'bundles.inspect'>): BundleView {
  return {
    kind: 'bundle',
    dir: b.dir,
    name: b.manifest.name,
    version: b.manifest.version,
    arch: b.manifest.arch,
    rootfsKind: b.manifest.rootfs.kind,
    sizeBytes: b.totalBytes,
    rootHash: b.manifest.verity?.rootHash ?? null,
    rootfsBytes: b.manifest.rootfs.sizeBytes,
    verityBytes: b.manifest.verity?.sizeBytes ?? null,
  };
}
