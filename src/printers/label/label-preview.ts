import { createCanvas, GlobalFonts, type SKRSContext2D } from '@napi-rs/canvas';
import bwipjs from 'bwip-js';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { layoutLabel } from './label-layout.js';
import type { Code128Element, LabelElement, LabelLayout, LabelSize, QrElement } from './label-layout.types.js';

/**
 * The preview draws text with the monospaced font bwip-js ships (advance 0.5 em, narrower than the layout's estimate),
 * so previews look the same on every machine, fonts installed or not.
 */
const FONT_FAMILY = 'IxLabel';
let fontFamily: string | undefined;

function labelFont(): string {
  if (fontFamily === undefined) {
    const bwipDir = dirname(createRequire(import.meta.url).resolve('bwip-js'));
    const path = join(bwipDir, '..', 'fonts', 'Inconsolata.otf');
    fontFamily = existsSync(path) && GlobalFonts.registerFromPath(path, FONT_FAMILY) ? FONT_FAMILY : 'monospace';
  }
  return fontFamily;
}

/** A PNG of the label as the printer would print it, one pixel per printer dot. */
export async function renderLabelPreview(template: string, data: unknown, size: LabelSize): Promise<Buffer> {
  return renderLayoutPng(layoutLabel(template, data, size));
}

export async function renderLayoutPng(layout: LabelLayout): Promise<Buffer> {
  const canvas = createCanvas(layout.widthDots, layout.heightDots);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, layout.widthDots, layout.heightDots);
  ctx.fillStyle = '#000000';
  for (const element of layout.elements) {
    drawElement(ctx, element);
  }
  return canvas.encode('png');
}

function drawElement(ctx: SKRSContext2D, element: LabelElement): void {
  switch (element.kind) {
    case 'text':
      ctx.font = `${element.fontHeight}px ${labelFont()}`;
      ctx.textBaseline = 'top';
      ctx.fillText(element.text, element.x, element.y, element.maxWidth);
      return;
    case 'qr':
      drawQr(ctx, element);
      return;
    case 'code128':
      drawCode128(ctx, element);
      return;
    case 'box': {
      const { x, y, width, height, thickness } = element;
      if (thickness * 2 >= Math.min(width, height)) {
        ctx.fillRect(x, y, width, height);
      } else {
        ctx.fillRect(x, y, width, thickness);
        ctx.fillRect(x, y + height - thickness, width, thickness);
        ctx.fillRect(x, y, thickness, height);
        ctx.fillRect(x + width - thickness, y, thickness, height);
      }
      return;
    }
  }
}

/** Module by module from bwip-js's matrix, so a module is exactly `magnification` dots as on the printer. */
function drawQr(ctx: SKRSContext2D, element: QrElement): void {
  const [symbol] = bwipjs.raw('qrcode', element.data, 'eclevel=M');
  if (!('pixs' in symbol)) {
    throw new Error('bwip-js returned no QR matrix');
  }
  const size = element.magnification;
  for (let row = 0; row < symbol.pixy; row++) {
    for (let col = 0; col < symbol.pixx; col++) {
      if (symbol.pixs[row * symbol.pixx + col]) {
        ctx.fillRect(element.x + col * size, element.y + row * size, size, size);
      }
    }
  }
}

/** Bar by bar from bwip-js's bar/space widths (bars first), each module `moduleWidth` dots as ^BY sets it. */
function drawCode128(ctx: SKRSContext2D, element: Code128Element): void {
  const [symbol] = bwipjs.raw('code128', element.data);
  if (!('sbs' in symbol)) {
    throw new Error('bwip-js returned no Code 128 bars');
  }
  let x = element.x;
  symbol.sbs.forEach((modules, i) => {
    const width = modules * element.moduleWidth;
    if (i % 2 === 0) {
      ctx.fillRect(x, element.y, width, element.height);
    }
    x += width;
  });
}
