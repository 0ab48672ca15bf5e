// @vitest-environment jsdom
// The theme switch (system → light → dark → system, remembered) and the to-scale layout picture.
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { ThemeToggle } from '../../../src-renderer/theme/ThemeToggle.tsx';
import { LayoutBar } from '../../../src-renderer/wizard/LayoutBar.tsx';
import type { PlanView } from '../../../src-renderer/store/types.ts';

afterEach(() => {
  cleanup();
  localStorage.clear();
  delete document.documentElement.dataset.theme;
});

describe('theme toggle', () => {
  it('cycles system → light → dark → system on <html data-theme> and remembers the choice', async () => {
    const user = userEvent.setup();
    render(<ThemeToggle />);
    expect(document.documentElement.dataset.theme).toBeUndefined();
    await user.click(screen.getByRole('button', { name: /System theme/ }));
    expect(document.documentElement.dataset.theme).toBe('light');
    await user.click(screen.getByRole('button', { name: /Light theme/ }));
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(localStorage.getItem('iios-theme')).toBe('dark');
    cleanup();
    render(<ThemeToggle />);
    expect(screen.getByRole('button', { name: /Dark theme/ })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: /Dark theme/ }));
    expect(document.documentElement.dataset.theme).toBeUndefined();
  });
});

describe('layout bar', () => {
  const MiB = 2 ** 20;
  // a raw profile's plan: the image extent and the persistence partition both have index 0
  const raw: PlanView = {
    diskBytes: 1000 * MiB,
    partitions: [
      { index: 0, role: 'raw-image', name: 'image', startBytes: 0, sizeBytes: 600 * MiB, filesystem: 'raw', readOnly: false },
      { index: 0, role: 'persistence', name: 'iios-data', startBytes: 700 * MiB, sizeBytes: 299 * MiB, filesystem: 'ext4', readOnly: false },
    ],
  };

  it('draws each partition at its share of the disk, with free space between them left as gaps', () => {
    render(<LayoutBar plan={raw} legend />);
    const bar = screen.getByRole('img');
    expect(bar.getAttribute('aria-label')).toBe('Layout of 1.0 GB: image 629 MB, persistence 314 MB');
    const children = [...bar.children] as HTMLElement[];
    expect(children.map((c) => c.className)).toEqual(['layout-seg raw-image', '', 'layout-seg persistence']);
    expect(children.map((c) => parseFloat(c.style.width))).toEqual([60, 10, 29.9]);
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(['image 629 MB', 'persistence 314 MB']);
  });
});
