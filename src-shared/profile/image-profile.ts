// ImageProfile: what a stick looks like (resources/profiles/<id>.yaml). Parsed from YAML text (pure, no fs).
// The schema and its rules live in profile-schema.ts (re-exported here); this file adds the YAML reader.
import { parseDocument } from 'yaml';
import { ProfileError, type FieldIssue } from './schema-errors.ts';
import { validateImageProfile, type ImageProfile } from './profile-schema.ts';

export * from './profile-schema.ts';

/**
 * Parses profile YAML text. `file` names the source in messages; when `expectId` is given (built-in
 * profiles: the file's base name) the profile's id must equal it.
 */
export function parseImageProfile(text: string, file: string, expectId?: string): ImageProfile {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues: FieldIssue[] = doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      return { path: pos ? `line ${pos.line}, column ${pos.col}` : '', message: `not valid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}` };
    });
    throw new ProfileError(file, issues);
  }
  const value: unknown = doc.toJS();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ProfileError(file, [{ path: '', message: 'expected a YAML mapping with format, id, title, description, mode' }]);
  }
  const profile = validateImageProfile(value, file);
  if (expectId !== undefined && profile.id !== expectId) {
    throw new ProfileError(file, [{ path: 'id', message: `"${profile.id}" does not match the file name (expected "${expectId}")` }]);
  }
  return profile;
}
