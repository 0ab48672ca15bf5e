// A catalogue message with React elements in its variables (a path in monospace, a number in bold), keeping
// the sentence whole so each language orders its words itself. Plain text: t() from src-shared/i18n.
import { Fragment, type ReactNode } from 'react';
import { getLocale, translate, type Catalogue, type MessageKey } from '../../src-shared/i18n/index.ts';
import type { VarsOf } from '../../src-shared/i18n/message-types.ts';

const MARK = '\u0000';

export function Rich<K extends MessageKey>({ k, vars }: { k: K; vars: Record<VarsOf<Catalogue[K]>, ReactNode> }) {
  const all = vars as Record<string, ReactNode>;
  // each variable becomes a marked slot; a numeric count still goes in as a number to choose the plural form
  const slots = Object.fromEntries(Object.keys(all).map((name) => [name, `${MARK}${name}${MARK}`]));
  if (typeof all.count === 'number') slots.count = all.count as unknown as string;
  const pieces = translate(getLocale(), k, slots).split(MARK);
  return (
    <>
      {pieces.map((piece, i) => (
        <Fragment key={i}>{i % 2 === 1 ? all[piece] : piece}</Fragment>
      ))}
    </>
  );
}
