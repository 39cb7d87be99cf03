interface PagerProps {
  page: number;
  pageCount: number;
  onPageChange: (page: number) => void;
  /** Names the list, such as "Patients", for the navigation landmark. */
  label: string;
  busy?: boolean;
}

/** Renders Previous and Next buttons with the current page in words. */
export function Pager({ page, pageCount, onPageChange, label, busy = false }: PagerProps) {
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button
        type="button"
        className="button button--secondary"
        disabled={page <= 1 || busy}
        onClick={() => {
          onPageChange(page - 1);
        }}
      >
        Previous
      </button>
      <p className="pager__status" aria-live="polite">
        Page {page} of {pageCount}
      </p>
      <button
        type="button"
        className="button button--secondary"
        disabled={page >= pageCount || busy}
        onClick={() => {
          onPageChange(page + 1);
        }}
      >
        Next
      </button>
    </nav>
  );
}
