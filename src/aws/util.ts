/** Small pure helpers shared by the AWS adapters. */
import { EcsCrdError } from '../errors.js';

/** Memoises an async factory; a failed attempt is forgotten so the next call tries again. */
export function once<T>(factory: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= factory().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

/**
 * Fetches every page of a paginated call. `next` returns the token of the following page, or
 * undefined after the last one (or once the caller has seen enough).
 */
export async function allPages<Page, Token>(
  fetch: (token: Token | undefined) => Promise<Page>,
  next: (page: Page) => Token | undefined,
): Promise<Page[]> {
  const pages: Page[] = [];
  const seen = new Set<string>();
  let token: Token | undefined;
  do {
    const page = await fetch(token);
    pages.push(page);
    token = next(page);
    if (token !== undefined) {
      // A token seen before would loop for ever (an emulator's bug, or a changing listing).
      const key = JSON.stringify(token);
      if (seen.has(key)) throw new EcsCrdError(`AWS returned the page token ${key} twice`);
      seen.add(key);
    }
  } while (token !== undefined);
  return pages;
}

/** Splits `items` into consecutive batches of at most `size` (the API's limit per call). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}
