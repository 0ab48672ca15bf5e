// Arrow keys within a radio group (WAI-ARIA radio group pattern): Right/Down go to the next option, Left/Up to
// the previous one, wrapping; Home/End to the first and last. The caller moves the tab stop (roving tabindex)
// and the selection to the returned index; null for any other key.
export function arrowTarget(key: string, index: number, count: number): number | null {
  if (count === 0) return null;
  switch (key) {
    case 'ArrowRight':
    case 'ArrowDown':
      return (index + 1) % count;
    case 'ArrowLeft':
    case 'ArrowUp':
      return (index - 1 + count) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}
