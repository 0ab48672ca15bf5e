// ImageProfile: what a stick looks like (resources/profiles/<id>.yaml). Parsed from YAML text (pure, no fs).
// The schema and its rules live in profile-schema.ts (re-exported here); this file adds the YAML reader.
import { parseDocument } from 'yaml';
import { ProfileError, fileIssue, yamlSyntaxIssues } from './schema-errors.ts';
import { validateImageProfile, type ImageProfile } from './profile-schema.ts';

export * from './profile-schema.ts';

/**
 * Parses profile YAML text. `file` names the source in messages; when `expectId` is given (built-in
 * profiles: the file's base name) the profile's id must equal it.
 */
export function parseImageProfile(text: string, file: string, expectId?: string): ImageProfile {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw new ProfileError(file, yamlSyntaxIssues(doc.errors));
  const value: unknown = doc.toJS();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const fields = 'format, id, title, description, mode';
    throw new ProfileError(file, [fileIssue('', `expected a YAML mapping with ${fields}`, 'yaml-mapping', { fields })]);
  }
  const profile = validateImageProfile(value, file);
  if (expectId !== undefined && profile.id !== expectId) {
    const message = `"${profile.id}" does not match the file name (expected "${expectId}")`;
    throw new ProfileError(file, [fileIssue('id', message, 'id-not-file-name', { id: profile.id, expected: expectId })]);
  }
  return profile;
}
