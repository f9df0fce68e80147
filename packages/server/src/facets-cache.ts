/** The board's facets for a few seconds: each /cheatsheet renders its filter form from them; a new result drops them at once. */
import type { BoardFacets } from './repository.js';

export class FacetsCache {
  private value: { at: number; facets: Promise<BoardFacets> } | undefined;
  constructor(
    private readonly load: () => Promise<BoardFacets>,
    private readonly clock: () => number,
    private readonly ttlMs = 10_000,
  ) {}
  get(): Promise<BoardFacets> {
    const now = this.clock();
    if (!this.value || now - this.value.at > this.ttlMs || now < this.value.at) {
      const facets = this.load();
      this.value = { at: now, facets };
      facets.catch(() => (this.value = undefined));
    }
    return this.value.facets;
  }
  clear(): void {
    this.value = undefined;
  }
}
