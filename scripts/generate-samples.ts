/**
 * Writes the sample documents in samples/ (`npm run build && node dist/scripts/generate-samples.js [outDir]`).
 *
 * Output is reproducible: fixed content, no dates or random ids in the files, fonts that ship in node_modules
 * (Helvetica is built into PDF readers; canvas text uses Liberation Sans from pdfjs-dist) and a seeded PRNG, so a
 * rerun with the same dependency versions writes byte-identical files.
 */
import { createCanvas, GlobalFonts, loadImage, type SKRSContext2D } from '@napi-rs/canvas';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PDFDocument, rgb, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib';
import { PdfDocument } from '../src/documents/pdf-reader.js';
import { LIBERATION_SANS } from '../src/documents/pdfjs.js';

const A4: [number, number] = [595.28, 841.89];

/** Content of the sample invoice; tests check these values against what is read back. */
export const INVOICE = {
  number: 'RE-2026-001',
  date: '23.11.2026',
  dueDate: '07.12.2026',
  net: '1.000,00',
  vat: '190,00',
  total: '1.190,00',
  iban: 'DE89 3704 0044 0532 0130 00',
  email: 'rechnung@muster-buerobedarf.de',
};

/** A German/English invoice with a real text layer (Helvetica, WinAnsi: umlauts are real characters). */
export async function buildInvoicePdf(): Promise<Uint8Array> {
  // No producer, creator or dates: the file must not change between runs.
  const doc = await PDFDocument.create({ updateMetadata: false });
  const page = doc.addPage(A4);
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const grey = rgb(0.35, 0.35, 0.35);

  // Positions from the top-left, as on paper.
  const text = (value: string, x: number, top: number, size = 10, font: PDFFont = regular, color = rgb(0, 0, 0)) =>
    page.drawText(value, { x, y: A4[1] - top - size, size, font, color });
  const right = (value: string, xRight: number, top: number, size = 10, font: PDFFont = regular) =>
    text(value, xRight - font.widthOfTextAtSize(value, size), top, size, font);
  const rule = (top: number, p: PDFPage = page) =>
    p.drawLine({ start: { x: 50, y: A4[1] - top }, end: { x: 545, y: A4[1] - top }, thickness: 0.6, color: grey });

  text('Muster Bürobedarf GmbH', 50, 50, 16, bold);
  text('Hauptstraße 12 · 10115 Berlin · Deutschland', 50, 72, 9, regular, grey);
  text(`Tel. +49 30 1234567 · E-Mail: ${INVOICE.email}`, 50, 84, 9, regular, grey);
  text('USt-IdNr.: DE123456789', 50, 96, 9, regular, grey);

  text('Beispiel AG', 50, 140, 10);
  text('z. Hd. Frau Erika Mustermann', 50, 154, 10);
  text('Industriestraße 5', 50, 168, 10);
  text('80331 München', 50, 182, 10);

  text('Rechnung / Invoice', 50, 230, 18, bold);
  const facts: [string, string][] = [
    ['Rechnungsnummer:', INVOICE.number],
    ['Rechnungsdatum / Invoice date:', INVOICE.date],
    ['Fällig am / Due date:', INVOICE.dueDate],
    ['Kundennummer / Customer no.:', 'K-10042'],
  ];
  facts.forEach(([label, value], i) => {
    text(label, 50, 264 + i * 16, 10);
    text(value, 230, 264 + i * 16, 10, bold);
  });

  const tableTop = 350;
  text('Pos.', 50, tableTop, 9, bold);
  text('Beschreibung / Description', 85, tableTop, 9, bold);
  right('Menge / Qty', 370, tableTop, 9, bold);
  right('Einzelpreis / Unit', 460, tableTop, 9, bold);
  right('Betrag / Amount', 545, tableTop, 9, bold);
  rule(tableTop + 14);
  const items: [string, string, string, string][] = [
    ['Druckerpapier A4, 80 g (Karton)', '10', '25,00', '250,00'],
    ['Toner schwarz XL / black toner', '3', '150,00', '450,00'],
    ['Wartung Drucker / printer service', '1', '300,00', '300,00'],
  ];
  items.forEach(([description, quantity, unit, amount], i) => {
    const top = tableTop + 22 + i * 18;
    text(String(i + 1), 50, top);
    text(description, 85, top);
    right(quantity, 370, top);
    right(unit, 460, top);
    right(amount, 545, top);
  });
  rule(tableTop + 82);

  const totalsTop = tableTop + 92;
  const totals: [string, string][] = [
    ['Nettobetrag / Net amount', `${INVOICE.net} EUR`],
    ['MwSt 19 % / VAT 19 %', `${INVOICE.vat} EUR`],
  ];
  totals.forEach(([label, value], i) => {
    text(label, 300, totalsTop + i * 16);
    right(value, 545, totalsTop + i * 16);
  });
  text('Gesamtbetrag / Total', 300, totalsTop + 38, 11, bold);
  right(`${INVOICE.total} EUR`, 545, totalsTop + 38, 11, bold);

  const payTop = totalsTop + 90;
  text(`Zahlbar bis ${INVOICE.dueDate} ohne Abzug / Payable by ${INVOICE.dueDate} without deduction.`, 50, payTop);
  text(`IBAN: ${INVOICE.iban}`, 50, payTop + 16);
  text('BIC: COBADEFFXXX · Commerzbank Berlin', 50, payTop + 32);
  text(`Verwendungszweck / Reference: ${INVOICE.number}`, 50, payTop + 48);
  text('Vielen Dank für Ihren Auftrag! / Thank you for your order!', 50, payTop + 80);

  rule(780);
  text('Muster Bürobedarf GmbH · Geschäftsführer: Max Mustermann · Amtsgericht Berlin HRB 123456', 50, 788, 8);
  text('Seite 1 von 1', 50, 800, 8, regular, grey);
  return doc.save();
}

/** Park-Miller: deterministic "randomness" for the scan and photo effects. */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

/**
 * The same invoice as a scanner would deliver it: the page rendered at 200 dpi, slightly rotated on off-white paper,
 * stored as one JPEG image that is the page's only content (no text layer).
 */
export async function buildScannedInvoicePdf(invoicePdf: Uint8Array): Promise<Uint8Array> {
  const dpi = 200;
  const source = await PdfDocument.open(invoicePdf);
  let rendered;
  try {
    rendered = await source.render(1, { dpi });
  } finally {
    await source.close();
  }
  const image = await loadImage(rendered.png);
  const canvas = createCanvas(rendered.width, rendered.height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#f4f3ee';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.translate(canvas.width / 2, canvas.height / 2);
  ctx.rotate((0.4 * Math.PI) / 180);
  ctx.translate(-canvas.width / 2, -canvas.height / 2);
  ctx.globalCompositeOperation = 'multiply';
  ctx.drawImage(image, 0, 0);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.globalCompositeOperation = 'source-over';
  const random = prng(2026);
  ctx.fillStyle = 'rgba(60, 60, 60, 0.35)';
  for (let i = 0; i < 1500; i++) {
    ctx.fillRect(Math.floor(random() * canvas.width), Math.floor(random() * canvas.height), 1, 1);
  }
  const jpeg = await canvas.encode('jpeg', 80);

  const doc = await PDFDocument.create({ updateMetadata: false });
  const page = doc.addPage(A4);
  const embedded = await doc.embedJpg(jpeg);
  page.drawImage(embedded, { x: 0, y: 0, width: A4[0], height: A4[1] });
  return doc.save();
}

const SANS = 'IxSamplesSans';
const SANS_BOLD = 'IxSamplesSansBold';

function registerFonts(): void {
  if (!GlobalFonts.has(SANS)) {
    GlobalFonts.registerFromPath(LIBERATION_SANS.regular, SANS);
    GlobalFonts.registerFromPath(LIBERATION_SANS.bold, SANS_BOLD);
  }
}

/** A phone photo of a till receipt: paper slightly rotated on a table, uneven light, a little sensor noise. */
export async function buildReceiptPng(): Promise<Buffer> {
  registerFonts();
  const [width, height] = [860, 1200];
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');

  const table = ctx.createLinearGradient(0, 0, width, height);
  table.addColorStop(0, '#6b5443');
  table.addColorStop(1, '#3d2f25');
  ctx.fillStyle = table;
  ctx.fillRect(0, 0, width, height);

  ctx.save();
  ctx.translate(width / 2, height / 2);
  ctx.rotate((-1.5 * Math.PI) / 180);
  const [paperW, paperH] = [600, 1000];
  ctx.translate(-paperW / 2, -paperH / 2);
  ctx.shadowColor = 'rgba(0, 0, 0, 0.45)';
  ctx.shadowBlur = 24;
  ctx.shadowOffsetX = 10;
  ctx.shadowOffsetY = 12;
  ctx.fillStyle = '#fbfaf4';
  ctx.fillRect(0, 0, paperW, paperH);
  ctx.shadowColor = 'transparent';
  drawReceipt(ctx, paperW);
  ctx.restore();

  // Light falls from the top left.
  const light = ctx.createRadialGradient(width * 0.25, height * 0.2, 100, width * 0.5, height * 0.5, width * 1.1);
  light.addColorStop(0, 'rgba(255, 255, 240, 0.10)');
  light.addColorStop(1, 'rgba(0, 0, 0, 0.22)');
  ctx.fillStyle = light;
  ctx.fillRect(0, 0, width, height);

  const random = prng(4711);
  for (let i = 0; i < 2500; i++) {
    const shade = Math.floor(random() * 255);
    ctx.fillStyle = `rgba(${shade}, ${shade}, ${shade}, 0.08)`;
    ctx.fillRect(Math.floor(random() * width), Math.floor(random() * height), 2, 2);
  }
  return canvas.encode('png');
}

function drawReceipt(ctx: SKRSContext2D, paperW: number): void {
  ctx.fillStyle = '#1d1d1f';
  const center = (value: string, top: number, size = 24, bold = false) => {
    ctx.font = `${size}px ${bold ? SANS_BOLD : SANS}`;
    ctx.fillText(value, (paperW - ctx.measureText(value).width) / 2, top);
  };
  const row = (left: string, rightText: string, top: number, size = 24, bold = false) => {
    ctx.font = `${size}px ${bold ? SANS_BOLD : SANS}`;
    ctx.fillText(left, 40, top);
    ctx.fillText(rightText, paperW - 40 - ctx.measureText(rightText).width, top);
  };
  center('Frischmarkt Ehrenfeld', 80, 34, true);
  center('Venloer Straße 123', 120);
  center('50823 Köln', 152);
  center('Tel. 0221 987654', 184);
  center('USt-IdNr. DE987654321', 216, 20);
  row('Datum: 21.11.2026', '18:42', 280);
  row('Beleg-Nr. 4711', 'Kasse 2', 312);
  ctx.fillRect(40, 340, paperW - 80, 2);
  const items: [string, string][] = [
    ['Vollkornbrot 500 g', '2,49'],
    ['Bio Vollmilch 1 L', '1,29'],
    ['Bananen 1,20 kg', '2,15'],
    ['Kaffee gemahlen 500 g', '6,99'],
  ];
  items.forEach(([name, price], i) => row(name, `${price} EUR`, 390 + i * 40));
  ctx.fillRect(40, 550, paperW - 80, 2);
  row('SUMME', '12,92 EUR', 600, 32, true);
  row('Kartenzahlung girocard', '12,92 EUR', 660);
  row('Karte: ************1234', '', 700, 22);
  row('MwSt 7 %  netto 12,07', 'MwSt 0,85', 760, 22);
  ctx.fillRect(40, 790, paperW - 80, 2);
  center('Vielen Dank für Ihren Einkauf!', 850, 26);
  center('Terminal 12345678  Trace 000815', 900, 20);
}

export interface Samples {
  'invoice-text.pdf': Uint8Array;
  'invoice-scanned.pdf': Uint8Array;
  'receipt.png': Uint8Array;
}

export async function buildSamples(): Promise<Samples> {
  const invoice = await buildInvoicePdf();
  return {
    'invoice-text.pdf': invoice,
    'invoice-scanned.pdf': await buildScannedInvoicePdf(invoice),
    'receipt.png': await buildReceiptPng(),
  };
}

async function main(outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  for (const [name, bytes] of Object.entries(await buildSamples())) {
    await writeFile(join(outDir, name), bytes);
    console.log(`${join(outDir, name)} (${bytes.length} bytes)`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(resolve(process.argv[2] ?? 'samples')).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
