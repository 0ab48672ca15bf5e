// The end of a batch, told to a teacher who is in another window: a desktop notification (the Electron window
// and the browser both have the Web Notification API) and, if wanted, a short tone made with Web Audio (no
// sound file to ship).
import { t } from '../../src-shared/i18n/index.ts';

export function batchEndText(ready: number, failed: number): { title: string; body: string } {
  if (failed === 0) return { title: t('notify.readyTitle'), body: t('notify.ready', { count: ready }) };
  return { title: t('notify.failedTitle'), body: t('notify.failed', { count: failed, ready }) };
}

export function notifyBatchEnd(ready: number, failed: number, sound: boolean): void {
  if (ready + failed === 0) return;
  const { title, body } = batchEndText(ready, failed);
  if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
    try {
      new Notification(title, { body, tag: 'iios-batch' });
    } catch {
      // Some browsers only notify from a service worker; the page itself still shows the result.
    }
  }
  if (sound) playTone(failed === 0 ? 880 : 220);
}

function playTone(hz: number): void {
  const Ctx = (globalThis as { AudioContext?: typeof AudioContext }).AudioContext;
  if (!Ctx) return;
  const ctx = new Ctx();
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.frequency.value = hz;
  gain.gain.setValueAtTime(0.2, ctx.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.6);
  osc.connect(gain).connect(ctx.destination);
  osc.start();
  osc.stop(ctx.currentTime + 0.6);
  osc.onended = () => void ctx.close();
}
