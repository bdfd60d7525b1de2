import { useEffect, useRef } from 'react';

/**
 * The page's `<h1>`: sets the document title and takes focus when the page opens, so a
 * screen-reader user hears where a link led (single-page navigation does not announce it).
 *
 * @example
 *   <PageHeading>{t('search.title')}</PageHeading>
 */
export function PageHeading({ children }: { children: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${children} · Amparo`;
  }, [children]);
  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
  }, []);
  return (
    <h1 ref={heading} tabIndex={-1}>
      {children}
    </h1>
  );
}
