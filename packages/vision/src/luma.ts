let thumb: { canvas: OffscreenCanvas; ctx: OffscreenCanvasRenderingContext2D } | undefined;

/**
 * Mean brightness (0..255, Rec. 709 luma) of a frame, or of a region of it (pixels), from a
 * 16x12 thumbnail: cheap enough for every frame, and all the "more light" guidance and the
 * low-light check need. Undefined when the source cannot be drawn (not ready, tainted).
 */
export function frameLuma(
  source: CanvasImageSource,
  region?: { x: number; y: number; width: number; height: number },
): number | undefined {
  try {
    thumb ??= (() => {
      const canvas = new OffscreenCanvas(16, 12);
      return { canvas, ctx: canvas.getContext('2d', { willReadFrequently: true })! };
    })();
    if (region) thumb.ctx.drawImage(source, region.x, region.y, region.width, region.height, 0, 0, 16, 12);
    else thumb.ctx.drawImage(source, 0, 0, 16, 12);
    const data = thumb.ctx.getImageData(0, 0, 16, 12).data;
    let sum = 0;
    for (let i = 0; i < data.length; i += 4) sum += 0.2126 * data[i]! + 0.7152 * data[i + 1]! + 0.0722 * data[i + 2]!;
    return sum / (data.length / 4);
  } catch {
    return undefined;
  }
}
