// What each built-in profile is for, in a teacher's words, with its technical layout kept for the details
// disclosure. A profile file from elsewhere has no entry: its own title and description are shown as written.
import { t, type PlainKey } from '../../src-shared/i18n/index.ts';
import type { ProfileView } from '../store/types.ts';

interface ProfileKeys {
  title: PlainKey;
  purpose: PlainKey;
  layout: PlainKey;
}

const BUILT_IN: Record<string, ProfileKeys> = {
  classroom: { title: 'profile.classroom.title', purpose: 'profile.classroom.purpose', layout: 'profile.classroom.layout' },
  appliance: { title: 'profile.appliance.title', purpose: 'profile.appliance.purpose', layout: 'profile.appliance.layout' },
  kiosk: { title: 'profile.kiosk.title', purpose: 'profile.kiosk.purpose', layout: 'profile.kiosk.layout' },
  raw: { title: 'profile.raw.title', purpose: 'profile.raw.purpose', layout: 'profile.raw.layout' },
};

/** The one most teachers want: students keep their work and a stick can be reset. */
export const USUAL_PROFILE = 'classroom';

export interface ProfileWords {
  title: string;
  /** What it is for, plainly; null for a profile iios does not know (its description says it all). */
  purpose: string | null;
  /** The partitions and how they are sealed, for those who want to know. */
  layout: string;
}

export function profileWords(p: ProfileView): ProfileWords {
  const keys = BUILT_IN[p.id];
  if (!keys) return { title: p.title, purpose: null, layout: p.description };
  return { title: t(keys.title), purpose: t(keys.purpose), layout: t(keys.layout) };
}
