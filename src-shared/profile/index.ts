// Image profiles, bundle manifests and size expressions (pure; design.md, "Image bundles" and "On-stick format").
export * from './image-profile.ts';
export * from './bundle-manifest.ts';
export * from './size-spec.ts';
export * from './schema-errors.ts';
