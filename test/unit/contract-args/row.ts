// One row of the contract's argument table: values a channel must accept and values it must refuse.
export interface ArgsRow {
  good: unknown[];
  bad: unknown[];
}
