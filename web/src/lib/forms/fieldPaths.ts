/** Converts an API field path such as `allergies[2].substance` to `allergies.2.substance`. */
export function toFormPath(apiField: string): string {
  return apiField.replace(/\[(\d+)\]/g, ".$1");
}

/** Returns the DOM id used for the input registered under a form path. */
export function fieldId(path: string): string {
  return `field-${path.replace(/\./g, "-")}`;
}

/** Returns the id of the element that contains a field's error message. */
export function errorId(path: string): string {
  return `${fieldId(path)}-error`;
}

export interface FlatFieldError {
  path: string;
  message: string;
}

/** Lists every error message in react-hook-form's nested error object, in field order. */
export function flattenFieldErrors(errors: object): FlatFieldError[] {
  const flat: FlatFieldError[] = [];
  visit(errors, "", flat);
  return flat;
}

function visit(node: unknown, prefix: string, flat: FlatFieldError[]): void {
  if (node === null || typeof node !== "object") {
    return;
  }
  const record = node as Record<string, unknown>;
  if (typeof record.message === "string" && typeof record.type === "string") {
    flat.push({ path: prefix, message: record.message });
    return;
  }
  for (const [key, child] of Object.entries(record)) {
    // react-hook-form keeps a DOM ref on each error, which is not a nested field.
    if (key === "ref") {
      continue;
    }
    visit(child, prefix === "" ? key : `${prefix}.${key}`, flat);
  }
}

/** Capitalises a server message such as "must not be in the future" for display. */
export function sentenceCase(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}
