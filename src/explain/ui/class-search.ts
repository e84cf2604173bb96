/** Type-ahead search over a model's class labels ("cup", "espresso", "967"). Pure. */

/** One class found by `searchClasses`. */
export interface ClassMatch {
  index: number;
  label: string;
  /** Rank: 0 class number or exact synonym, 1 synonym prefix, 2 word prefix, 3 anywhere; lower is better. */
  rank: number;
}

/** Lower case without accents, so "cafe" finds "café" and "Espresso" finds "espresso". */
export function foldText(s: string): string {
  return s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim();
}

/** ImageNet labels list synonyms separated by commas ("cup" vs "coffee mug"); each is matched on its own. */
export function synonyms(label: string): string[] {
  return label
    .split(',')
    .map((s) => foldText(s))
    .filter((s) => s.length > 0);
}

function rankOf(syns: string[], query: string): { rank: number; at: number } | null {
  let best: { rank: number; at: number } | null = null;
  const consider = (rank: number, at: number) => {
    if (!best || rank < best.rank || (rank === best.rank && at < best.at)) best = { rank, at };
  };
  syns.forEach((s, at) => {
    if (s === query) consider(0, at);
    else if (s.startsWith(query)) consider(1, at);
    else if (s.split(/[\s'-]+/).some((w) => w.startsWith(query))) consider(2, at);
    else if (s.includes(query)) consider(3, at);
  });
  return best;
}

/**
 * Classes whose labels match the query, best first: exact synonym, then prefix, then a word
 * prefix, then anywhere; ties by which synonym matched (the first is the common name), then by id.
 * A number matches that class id first. Several words must all match (the rank is the worst word's).
 */
export function searchClasses(labels: readonly string[], query: string, limit = 20): ClassMatch[] {
  const q = foldText(query);
  if (!q) return [];
  const out: (ClassMatch & { at: number })[] = [];
  const id = /^\d+$/.test(q) ? Number(q) : -1;
  const words = q.split(/\s+/);
  labels.forEach((label, index) => {
    if (index === id) {
      out.push({ index, label, rank: 0, at: -1 });
      return;
    }
    const syns = synonyms(label);
    // The whole query first (multi-word names such as "coffee mug"), then every word on its own.
    const whole = rankOf(syns, q);
    if (whole) {
      out.push({ index, label, rank: whole.rank, at: whole.at });
      return;
    }
    if (words.length < 2) return;
    let worst = { rank: -1, at: 0 };
    for (const w of words) {
      const r = rankOf(syns, w);
      if (!r) return;
      if (r.rank > worst.rank) worst = r;
    }
    out.push({ index, label, rank: Math.max(3, worst.rank), at: worst.at });
  });
  out.sort((a, b) => a.rank - b.rank || a.at - b.at || a.index - b.index);
  return out.slice(0, limit).map(({ index, label, rank }) => ({ index, label, rank }));
}

/** The label's first synonym, for compact display ("great white shark" rather than the whole list). */
export function shortLabel(label: string): string {
  return label.split(',')[0]!.trim() || label;
}
