// The layout planner: profile + bundle (or raw image) + target size -> exact GPT plan (design.md, "On-stick format").
export * from './plan-types.ts';
export { PlanProblemSchema, type PlanProblem } from './plan-problem.ts';
export * from './gpt.ts';
export { planLayout, bundleSizes, partitionName, type PlanSource } from './plan-layout.ts';
export { verityHashBytes } from './verity-size.ts';
export { guidFromSeed, GUID_PATTERN } from './guid.ts';
export { PartitionPlanSchema, PlannedPartitionSchema } from './plan-schema.ts';
