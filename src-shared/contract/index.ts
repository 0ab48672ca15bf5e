// Public entry of the IPC contract.
export * from './contract.ts';
export * from './envelope.ts';
export * from './error-details.ts';
export * from './api.ts';
export { noArgs } from './define.ts';
export * from './domains/app.ts';
export * from './domains/drives.ts';
