// Small DOM checks (the project has no jest-dom): what a user or a screen reader would notice.
export function isDisabled(el: Element): boolean {
  return (el as HTMLInputElement | HTMLButtonElement).disabled === true;
}

/** The text a screen reader reads as the element's description (aria-describedby). */
export function description(el: Element): string {
  const ids = el.getAttribute('aria-describedby')?.split(/\s+/) ?? [];
  return ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' ').trim();
}
