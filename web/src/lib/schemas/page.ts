import { z } from "zod";

/** Wraps an item schema in the API's list envelope `{items, page, limit, total}`. */
export function pageSchema<Item extends z.ZodType>(item: Item) {
  return z.object({
    items: z.array(item),
    page: z.number().int(),
    limit: z.number().int(),
    total: z.number().int(),
  });
}

export interface Page<Item> {
  items: Item[];
  page: number;
  limit: number;
  total: number;
}

/** Returns the number of pages needed to show `total` items, at least 1. */
export function pageCount(page: Pick<Page<unknown>, "limit" | "total">): number {
  return Math.max(1, Math.ceil(page.total / page.limit));
}
