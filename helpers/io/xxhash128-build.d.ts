// The types of hash-wasm's one-algorithm xxHash3-128 build (a UMD file without its own declarations).
declare module 'hash-wasm/dist/xxhash128.umd.min.js' {
  const build: { createXXHash128: typeof import('hash-wasm').createXXHash128 };
  export default build;
}
