// The renderer's single way to reach iios. window.iios is the raw transport (envelopes), provided by the
// Electron preload; in a plain browser opened by `iios serve` it is installed here from the bridge.
// Renderer code calls `iios().invoke('drives.list')` (typed; throws IiosError) or `iios().on(...)`.
import { createIiosClient, type IiosClient, type IiosTransport } from '../../src-shared/contract/api.ts';
import { bridgeConfigFromLocation, createBridgeTransport } from './bridge-client.ts';

declare global {
  interface Window {
    iios?: IiosTransport;
  }
}

let client: IiosClient | null = null;

/** Installs window.iios from the bridge when no preload provided it. Returns false when neither is available. */
export function ensureTransport(): boolean {
  if (window.iios) return true;
  const config = bridgeConfigFromLocation(window.location);
  if (!config) return false;
  window.iios = createBridgeTransport(config);
  return true;
}

export function iios(): IiosClient {
  if (client) return client;
  if (!ensureTransport() || !window.iios) {
    throw new Error('iios is not connected: open this page from the iios app or from the URL printed by `iios serve`');
  }
  client = createIiosClient(window.iios);
  return client;
}

