// Image profiles, bundle manifests and size expressions (pure; see interfaces §1 and §2).
export * from './image-profile.ts';
export * from './bundle-manifest.ts';
export * from './size-spec.ts';
export * from './schema-errors.ts';
