// Electron IPC channel names outside the contract: pushed events all travel on this one channel as
// (eventName, payload); each invoke channel of the contract is its own ipcMain.handle channel.
export const EVENT_CHANNEL = 'iios:event';
