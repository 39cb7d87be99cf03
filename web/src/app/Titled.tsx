import type { ReactNode } from "react";
import { usePageTitle } from "@/lib/ui/usePageTitle";

/** Sets the tab title for a page component that does not set its own. */
export function Titled({ title, page }: { title: string; page: ReactNode }) {
  usePageTitle(title);
  return page;
}
