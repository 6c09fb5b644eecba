/**
 * Cosine similarity at or above which two templates are taken to be the same person.
 * Chosen from genuine and impostor pairs measured through the vision worker on real
 * pixels, with margin on both sides (docs/face-match.md has the figures).
 */
export const MATCH_THRESHOLD = 0.6;

/**
 * `frames` mode: the least cosine similarity between the template the browser sent for a
 * crop and the one the server computes from that crop (after its JPEG round trip). Lower
 * means the template was not computed from that crop: a forged template.
 */
export const CROP_CONSISTENCY_THRESHOLD = 0.9;
