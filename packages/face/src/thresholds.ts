/**
 * Cosine similarity at or above which two templates are taken to be the same person.
 * Measured through the vision worker on real pixels (docs/face-match.md, `pnpm bench --only
 * match`): near-frontal genuine pairs 0.675–0.999 (the lowest in a very dark room), impostor
 * pairs 0.237–0.295. 0.6 leaves 0.075 below the darkest genuine pair and 0.3 above the most
 * similar impostor pair; it leans to the genuine side because our impostor set is two very
 * different people, where look-alikes score higher.
 */
export const MATCH_THRESHOLD = 0.6;

/**
 * `frames` mode: the least cosine similarity between the template the browser sent for a
 * crop and the one the server computes from that crop (after its JPEG round trip). Lower
 * means the template was not computed from that crop: a forged template. Measured: 0.990–0.999
 * for honest crops, 0.24–0.36 for another face's template.
 */
export const CROP_CONSISTENCY_THRESHOLD = 0.95;
