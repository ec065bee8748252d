/**
 * ROC curves and the area under them, for detectors that score "positives" (e.g. anomalies)
 * higher than "negatives". AUC = P(score(pos) > score(neg)) + ½ P(tie) — the Mann–Whitney
 * statistic — computed exactly by sorting.
 */
export interface RocPoint {
  threshold: number;
  falsePositiveRate: number;
  truePositiveRate: number;
}

function checkScores(name: string, s: ArrayLike<number>): void {
  if (s.length === 0) throw new Error(`ROC: no ${name} scores`);
  for (let i = 0; i < s.length; i++)
    if (Number.isNaN(s[i])) throw new Error(`ROC: ${name} score ${i} is NaN`);
}

/** Area under the ROC curve, with ties counted as ½. */
export function rocAuc(positive: ArrayLike<number>, negative: ArrayLike<number>): number {
  checkScores('positive', positive);
  checkScores('negative', negative);
  const all = [
    ...Array.from(positive, (s) => ({ s, pos: 1 })),
    ...Array.from(negative, (s) => ({ s, pos: 0 })),
  ].sort((a, b) => a.s - b.s);
  // rank-sum of the positives, with average ranks over ties
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j].s === all[i].s) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let t = i; t < j; t++) if (all[t].pos) rankSum += avgRank;
    i = j;
  }
  const nPos = positive.length;
  const nNeg = negative.length;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** The ROC curve: one point per distinct threshold (predict positive when score ≥ threshold). */
export function rocCurve(positive: ArrayLike<number>, negative: ArrayLike<number>): RocPoint[] {
  checkScores('positive', positive);
  checkScores('negative', negative);
  const all = [
    ...Array.from(positive, (s) => ({ s, pos: 1 })),
    ...Array.from(negative, (s) => ({ s, pos: 0 })),
  ].sort((a, b) => b.s - a.s);
  const points: RocPoint[] = [{ threshold: Infinity, falsePositiveRate: 0, truePositiveRate: 0 }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j].s === all[i].s) {
      if (all[j].pos) tp++;
      else fp++;
      j++;
    }
    points.push({
      threshold: all[i].s,
      falsePositiveRate: fp / negative.length,
      truePositiveRate: tp / positive.length,
    });
    i = j;
  }
  return points;
}
