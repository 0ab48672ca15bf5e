// The shape of a catalogue entry, and the variables a message takes, read from the English text itself:
// t('done.ready', { good: 1, count: 2 }) does not compile when the English text names other variables.

/** Forms by Intl.PluralRules category; `other` is required, `one` for languages that have it (en, de). */
export interface Plural {
  readonly zero?: string;
  readonly one?: string;
  readonly two?: string;
  readonly few?: string;
  readonly many?: string;
  readonly other: string;
}

export type Message = string | Plural;

/** Every form of a message as one union of strings. */
type FormsOf<M> = M extends string ? M : M extends Plural ? Exclude<M[keyof M], undefined> : never;

/** "{a} of {b}" -> "a" | "b". */
type NamesIn<S> = S extends `${string}{${infer V}}${infer Rest}` ? V | NamesIn<Rest> : never;

/** The variables of a message: the names in any of its forms; plural messages always take `count`. */
export type VarsOf<M> = NamesIn<FormsOf<M>> | (M extends Plural ? 'count' : never);

export type VarValue = string | number;
