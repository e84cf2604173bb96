/** The Explain panel's class search over the real ImageNet labels of the shared model. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { foldText, searchClasses, shortLabel, synonyms } from '../../src/explain/ui/class-search';

const repoRoot = path.resolve(__dirname, '..', '..');
const labels = JSON.parse(readFileSync(path.resolve(repoRoot, '..', 'shared', 'models', 'mobilenet_v1_0.75_224', 'imagenet_labels.json'), 'utf8')) as string[];

describe('class search', () => {
  it('reads the 1000 real labels', () => {
    expect(labels).toHaveLength(1000);
  });

  it('"cup": the class named exactly cup first, then names starting with it, then word prefixes, then substrings', () => {
    const r = searchClasses(labels, 'cup');
    // Independent reference: classify every label by hand-written rules over its synonyms.
    const exact = labels.flatMap((l, i) => (l.split(',').some((s) => s.trim().toLowerCase() === 'cup') ? [i] : []));
    const anywhere = labels.flatMap((l, i) => (l.toLowerCase().includes('cup') ? [i] : []));
    expect(r[0]!.index).toBe(exact[0]);
    expect(labels[r[0]!.index]).toBe('cup');
    expect(r.map((m) => m.index).sort((a, b) => a - b)).toEqual(anywhere);
    const ranks = r.map((m) => m.rank);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    // "measuring cup" (a word of the name starts with cup) ranks above "porcupine" (cup inside a word).
    const at = (label: string) => r.findIndex((m) => labels[m.index]!.startsWith(label));
    expect(at('measuring cup')).toBeLessThan(at('porcupine'));
  });

  it('matches synonyms, case and accents, several words, and class numbers', () => {
    expect(searchClasses(labels, 'ESPRESSO')[0]!.label).toBe('espresso');
    // The labels are ASCII; a French keyboard's accented query still finds them.
    expect(searchClasses(labels, 'Éspressó')[0]!.label).toBe('espresso');
    // "man-eater" is the third synonym of great white shark.
    expect(shortLabel(searchClasses(labels, 'man-eater')[0]!.label)).toBe('great white shark');
    const mug = searchClasses(labels, 'coffee mug');
    expect(mug[0]!.label).toBe('coffee mug');
    const two = searchClasses(labels, 'shark white');
    expect(two.length).toBeGreaterThan(0);
    for (const m of two) expect(m.label.toLowerCase()).toMatch(/(?=.*shark)(?=.*white)/);
    expect(searchClasses(labels, '967')[0]).toMatchObject({ index: 967, label: labels[967] });
    expect(searchClasses(labels, '   ')).toEqual([]);
    expect(searchClasses(labels, 'zzqx')).toEqual([]);
    expect(searchClasses(labels, 'a', 7)).toHaveLength(7);
  });

  it('folds text and splits synonyms', () => {
    expect(foldText('  Éclair ')).toBe('eclair');
    expect(synonyms('tench, Tinca tinca')).toEqual(['tench', 'tinca tinca']);
    expect(shortLabel('tench, Tinca tinca')).toBe('tench');
  });
});
