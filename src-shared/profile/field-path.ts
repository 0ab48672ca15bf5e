// A field's path as a user reads it in an error (`targets[1].path`, `caches["a b"]`): shared by the profile's
// schema errors and the error envelope's details, kept apart so neither imports the other.
/** ["partitions", 2, "size"] -> "partitions[2].size" */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}
