import { OcrPage } from '../documents/document.types.js';
import { LayoutOptions, layoutPage } from './page-layout.js';

/**
 * Realistic documents as OCR returns them, for tests and the fake OCR client: a German and an English
 * invoice whose amounts add up (167,90 + 31,90 = 199,80; 1,200.00 + 96.00 = 1,296.00).
 */

export const GERMAN_INVOICE = {
  invoiceNumber: 'RE-2026-0042',
  invoiceDate: '2026-11-23',
  dueDate: '2026-12-07',
  customerNumber: 'K-1001',
  net: 167.9,
  tax: 31.9,
  total: 199.8,
  currency: 'EUR',
  iban: 'DE89370400440532013000',
  bic: 'COBADEFFXXX',
  email: 'buchhaltung@acme-buero.de',
  phone: '+49301234567',
  vatId: 'DE123456789',
};

export function germanInvoicePage(options: LayoutOptions = {}): OcrPage {
  return layoutPage(
    [
      'ACME Bürobedarf GmbH · Musterstraße 1 · 10115 Berlin',
      '',
      [
        { x: 0.08, text: 'Max Mustermann' },
        { x: 0.6, text: 'Rechnungsnummer: RE-2026-0042' },
      ],
      [
        { x: 0.08, text: 'Beispielweg 5' },
        { x: 0.6, text: 'Rechnungsdatum: 23.11.2026' },
      ],
      [
        { x: 0.08, text: '20095 Hamburg' },
        { x: 0.6, text: 'Kundennummer: K-1001' },
      ],
      [{ x: 0.6, text: 'Fällig am: 07.12.2026' }],
      '',
      'Rechnung',
      '',
      [
        { x: 0.08, text: 'Pos.' },
        { x: 0.15, text: 'Beschreibung' },
        { x: 0.5, text: 'Menge' },
        { x: 0.62, text: 'Einzelpreis' },
        { x: 0.8, text: 'Gesamt' },
      ],
      [
        { x: 0.08, text: '1' },
        { x: 0.15, text: 'Druckerpapier A4, 500 Blatt' },
        { x: 0.5, text: '10' },
        { x: 0.62, text: '4,99' },
        { x: 0.8, text: '49,90' },
      ],
      [
        { x: 0.08, text: '2' },
        { x: 0.15, text: 'Toner schwarz' },
        { x: 0.5, text: '2' },
        { x: 0.62, text: '59,00' },
        { x: 0.8, text: '118,00' },
      ],
      '',
      [
        { x: 0.5, text: 'Summe netto' },
        { x: 0.8, text: '167,90 EUR' },
      ],
      [
        { x: 0.5, text: 'zzgl. 19 % MwSt' },
        { x: 0.8, text: '31,90 EUR' },
      ],
      [
        { x: 0.5, text: 'Gesamtbetrag' },
        { x: 0.8, text: '199,80 EUR' },
      ],
      '',
      'Bitte überweisen Sie den Gesamtbetrag bis zum 07.12.2026 auf folgendes Konto:',
      'IBAN: DE89 3704 0044 0532 0130 00    BIC: COBADEFFXXX',
      'E-Mail: buchhaltung@acme-buero.de    Tel.: +49 30 1234567',
      'USt-IdNr.: DE123456789',
    ],
    options,
  );
}

export const ENGLISH_INVOICE = {
  invoiceNumber: 'INV-10023',
  invoiceDate: '2026-11-23',
  dueDate: '2026-12-23',
  net: 1200,
  tax: 96,
  total: 1296,
  currency: 'USD',
  iban: 'GB29NWBK60161331926819',
  email: 'billing@globex.example',
  phone: '+15550104477',
};

export function englishInvoicePage(options: LayoutOptions = {}): OcrPage {
  return layoutPage(
    [
      'Globex Corporation',
      '742 Evergreen Terrace, Springfield, OR 97403',
      'Phone: +1 (555) 010-4477',
      '',
      'INVOICE',
      [
        { x: 0.08, text: 'Invoice No.: INV-10023' },
        { x: 0.55, text: 'Date: November 23, 2026' },
      ],
      [
        { x: 0.08, text: 'Bill To: Jane Doe' },
        { x: 0.55, text: 'Due Date: 12/23/2026' },
      ],
      '',
      [
        { x: 0.08, text: 'Description' },
        { x: 0.5, text: 'Qty' },
        { x: 0.62, text: 'Unit Price' },
        { x: 0.8, text: 'Amount' },
      ],
      [
        { x: 0.08, text: 'Consulting services' },
        { x: 0.5, text: '10' },
        { x: 0.62, text: '120.00' },
        { x: 0.8, text: '1,200.00' },
      ],
      '',
      [
        { x: 0.5, text: 'Subtotal' },
        { x: 0.8, text: '1,200.00' },
      ],
      [
        { x: 0.5, text: 'Sales Tax (8%)' },
        { x: 0.8, text: '96.00' },
      ],
      [
        { x: 0.5, text: 'Total Due' },
        { x: 0.8, text: 'USD 1,296.00' },
      ],
      '',
      'Please pay by bank transfer to IBAN GB29 NWBK 6016 1331 9268 19',
      'Questions? billing@globex.example',
    ],
    options,
  );
}
