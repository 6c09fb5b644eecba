/**
 * Landmark indices of MediaPipe's face mesh that the rig moves, as MediaPipe's own
 * FACE_LANDMARKS_* connection lists and its published mesh annotations name them. "Right"
 * is the person's right (the image's left in an unmirrored frame).
 */

/** The face's silhouette, clockwise from the top of the forehead. */
export const FACE_OVAL = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136,
  172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
] as const;

export interface EyeRegion {
  /** Outer and inner corner. */
  corners: readonly [number, number];
  /** Lid margins from the outer to the inner corner, corners included. */
  upper: readonly number[];
  lower: readonly number[];
  /** The ring above the upper margin, outer to inner, point for point with the margin's inner points. */
  crease: readonly number[];
  /** The ring below the lower margin, where a closed eye's lashes throw their shadow. */
  fringe: readonly number[];
}

export const RIGHT_EYE: EyeRegion = {
  corners: [33, 133],
  upper: [33, 246, 161, 160, 159, 158, 157, 173, 133],
  lower: [33, 7, 163, 144, 145, 153, 154, 155, 133],
  crease: [247, 30, 29, 27, 28, 56, 190],
  fringe: [130, 25, 110, 24, 23, 22, 26, 112, 243],
};

export const LEFT_EYE: EyeRegion = {
  corners: [263, 362],
  upper: [263, 466, 388, 387, 386, 385, 384, 398, 362],
  lower: [263, 249, 390, 373, 374, 380, 381, 382, 362],
  crease: [467, 260, 259, 257, 258, 286, 414],
  fringe: [359, 255, 339, 254, 253, 252, 256, 341, 463],
};

/** Lips, each contour from the right mouth corner to the left one. */
export const LIPS = {
  corners: [61, 291],
  innerCorners: [78, 308],
  upperOuter: [61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291],
  lowerOuter: [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291],
  upperInner: [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308],
  lowerInner: [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308],
} as const;

/** The mouth opening, clockwise: upper inner lip then lower inner lip back. */
export const MOUTH_OPENING = [...LIPS.upperInner, ...LIPS.lowerInner.slice(1, -1).reverse()];

/** Eye openings, clockwise around each eye. */
export const EYE_OPENINGS = [RIGHT_EYE, LEFT_EYE].map((eye) => [...eye.upper, ...eye.lower.slice(1, -1).reverse()]);

export const FOREHEAD_TOP = 10;
/** Points on the forehead, above the brows: plain skin on most portraits. */
export const FOREHEAD = [9, 151, 108, 337] as const;
export const CHIN = 152;
/** The face's widest points, at the cheekbones beside the eyes. */
export const FACE_SIDES = [234, 454] as const;
