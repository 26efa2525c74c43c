/**
 * A deterministic automaton (Aho–Corasick with every transition precomputed) over UTF-16 code
 * units that reports, after each unit, the longest marker ending there. Only units that occur in a
 * marker get a column; every other unit sends the automaton back to its start, so the table stays
 * (total marker length)² at most however large the alphabet of the text is.
 */
export class MarkerMatcher {
  private readonly columns = new Map<number, number>();
  private readonly next: Int32Array;
  private readonly longest: Int32Array;

  /** `markers` must be non-empty strings. */
  constructor(markers: readonly string[]) {
    for (const marker of markers) {
      for (let i = 0; i < marker.length; i++) {
        const unit = marker.charCodeAt(i);
        if (!this.columns.has(unit)) this.columns.set(unit, this.columns.size);
      }
    }
    const width = this.columns.size;
    const maxStates = 1 + markers.reduce((sum, marker) => sum + marker.length, 0);
    const next = new Int32Array(maxStates * width).fill(-1);
    const longest = new Int32Array(maxStates);
    let states = 1;
    for (const marker of markers) {
      let state = 0;
      for (let i = 0; i < marker.length; i++) {
        const cell = state * width + this.columns.get(marker.charCodeAt(i))!;
        if (next[cell] === -1) next[cell] = states++;
        state = next[cell]!;
      }
      longest[state] = Math.max(longest[state]!, marker.length);
    }
    // Breadth-first, so a state's fallback (its longest proper suffix in the trie) is complete
    // before the state itself; rows are filled as they are dequeued, which is what lets "-1"
    // still mean "no trie child" at that moment.
    const fallback = new Int32Array(states);
    const queue: number[] = [];
    for (let column = 0; column < width; column++) {
      const child = next[column]!;
      if (child === -1) next[column] = 0;
      else queue.push(child);
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      longest[state] = Math.max(longest[state]!, longest[fallback[state]!]!);
      for (let column = 0; column < width; column++) {
        const cell = state * width + column;
        const viaFallback = next[fallback[state]! * width + column]!;
        if (next[cell] === -1) next[cell] = viaFallback;
        else {
          fallback[next[cell]!] = viaFallback;
          queue.push(next[cell]!);
        }
      }
    }
    this.next = next;
    this.longest = longest;
  }

  /** The state after reading `unit` in `state` (0 is the start). */
  step(state: number, unit: number): number {
    const column = this.columns.get(unit);
    return column === undefined ? 0 : this.next[state * this.columns.size + column]!;
  }

  /** Length of the longest marker that ends when the automaton is in `state`; 0 for none. */
  matchLength(state: number): number {
    return this.longest[state]!;
  }
}
