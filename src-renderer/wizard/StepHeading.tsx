// The heading of a step; it takes the focus when the step opens so keyboard and screen-reader users land
// at the top of the new step instead of on a button that has disappeared.
import { useEffect, useRef, type ReactNode } from 'react';

export function StepHeading({ title, children }: { title: string; children?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <>
      <h2 className="step-title" tabIndex={-1} ref={ref}>
        {title}
      </h2>
      {children && <p className="step-lead">{children}</p>}
    </>
  );
}
