import { useEffect } from "react";

export const SITE_NAME = "Clinic Portal";

/** Sets the browser tab title, which screen readers also read after navigation. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} - ${SITE_NAME}`;
  }, [title]);
}
