export { hodgesLehmann, mannWhitneyU, type MannWhitneyResult } from './mann-whitney';
export { criticalZ, normalCdf, normalQuantile, twoSidedP } from './normal';
export { twoProportionZTest, wilsonInterval, type TwoProportionResult } from './proportions';
export { bootstrapQuantile, quantileSorted, sortedCopy, type BootstrapOptions, type Estimate } from './quantiles';
export { seededRandom, type Random } from '../contract/seeded-random';
