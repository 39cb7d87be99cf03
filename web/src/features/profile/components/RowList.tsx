import type { ReactNode, Ref } from "react";

interface RowListProps {
  /** Heading of the list, such as "Allergies". */
  title: string;
  headingId: string;
  addLabel: string;
  emptyText: string;
  rowCount: number;
  maxRows: number;
  onAdd: () => void;
  addButtonRef?: Ref<HTMLButtonElement>;
  error?: string | undefined;
  children: ReactNode;
}

/** Frames an editable list of rows with its heading, empty text and Add button. */
export function RowList({
  title,
  headingId,
  addLabel,
  emptyText,
  rowCount,
  maxRows,
  onAdd,
  addButtonRef,
  error,
  children,
}: RowListProps) {
  const full = rowCount >= maxRows;
  return (
    <section className="card">
      <h2 id={headingId}>{title}</h2>
      {error !== undefined && (
        <p role="alert" className="field__error">
          {error}
        </p>
      )}
      {rowCount === 0 ? <p className="muted">{emptyText}</p> : <div className="rows">{children}</div>}
      <button ref={addButtonRef} type="button" className="button button--secondary" disabled={full} onClick={onAdd}>
        <span aria-hidden="true">+ </span>
        {addLabel}
      </button>
      {full && <p className="field__hint">You have reached the limit of {maxRows} rows.</p>}
    </section>
  );
}

interface RowProps {
  /** Group name, such as "Allergy 2", which also names the Remove button. */
  legend: string;
  onRemove: () => void;
  children: ReactNode;
}

/** Renders one row of a list under a legend, with a Remove button named after the row. */
export function Row({ legend, onRemove, children }: RowProps) {
  return (
    <fieldset className="row">
      <legend className="row__legend">{legend}</legend>
      <div className="row__fields">{children}</div>
      <button type="button" className="button button--link row__remove" onClick={onRemove}>
        Remove{" "}
<span className="visually-hidden">{legend.toLowerCase()}</span>
      </button>
    </fieldset>
  );
}
