/**
 * PDF objects read the way pdfjs-dist 5.6 reads them (src/core/parser.js, Lexer and Parser): the stream check must
 * see a dictionary as pdfjs will, or a writer can hide a filter from one and not the other (a comment, NUL as
 * whitespace, an escaped key). Text is latin1: one character per byte.
 */

export class PdfName {
  constructor(readonly name: string) {}
}

/** A keyword: a command, or a delimiter such as `[` or `>>`. */
export class PdfCmd {
  constructor(readonly cmd: string) {}
}

export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}
}

export class PdfString {
  constructor(readonly value: string) {}
}

/** A dictionary: a repeated key keeps its last value, as pdfjs's Dict does. */
export type PdfDict = Map<string, PdfObject>;

export type PdfObject = number | boolean | null | PdfName | PdfCmd | PdfRef | PdfString | PdfDict | PdfObject[];

type Token = number | boolean | null | PdfName | PdfCmd | PdfString;

/** Where pdfjs's lexer throws (it then gives up the object being parsed). */
const LEX_ERROR = Symbol('lex error');

/** pdfjs's lexer's whitespace: NUL, TAB, LF, FF, CR, SPACE. */
const WHITESPACE = '\0\t\n\f\r ';
const DELIMITERS = '%()/<>[]{}';

/** pdfjs's specialChars: 1 for whitespace, 2 for delimiters. */
const SPECIAL = new Uint8Array(256);
for (const ch of WHITESPACE) {
  SPECIAL[ch.charCodeAt(0)] = 1;
}
for (const ch of DELIMITERS) {
  SPECIAL[ch.charCodeAt(0)] = 2;
}

/** Characters as the inside of a pattern's `[…]`. */
const inClass = (chars: string) => chars.replace(/[\\\]^-]/g, '\\$&');

/** For patterns over the raw text, inside `[…]`: PDF whitespace, and whitespace or a delimiter. */
export const WHITESPACE_CLASS = inClass(WHITESPACE);
export const SPECIAL_CLASS = inClass(WHITESPACE + DELIMITERS);

/** PDF whitespace, as pdfjs's lexer skips it. */
export const isWhiteSpace = (ch: number): boolean => ch >= 0 && ch < 256 && SPECIAL[ch] === 1;

/** What ends a name, a number or a keyword: PDF whitespace or a delimiter. */
const isSpecial = (ch: number): boolean => ch >= 0 && ch < 256 && SPECIAL[ch] !== 0;

/** pdfjs's isWhiteSpace, narrower than the lexer's: no NUL, no FF (what ASCII85Decode skips, for one). */
export const isNarrowWhiteSpace = (ch: number) => ch === 0x20 || ch === 0x09 || ch === 0x0d || ch === 0x0a;

const isDigit = (ch: number) => ch >= 0x30 && ch <= 0x39;

/** A hex digit's value, either case; -1 for any other character. */
export function hexDigit(ch: number): number {
  if (isDigit(ch)) {
    return ch & 0x0f;
  }
  return (ch >= 0x41 && ch <= 0x46) || (ch >= 0x61 && ch <= 0x66) ? (ch & 0x0f) + 9 : -1;
}

/**
 * A name's characters after the `/` with `#xx` escapes decoded as pdfjs decodes them: `#` before anything but two
 * hex digits stays as written.
 */
export function unescapeName(body: string): string {
  let name = '';
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== '#') {
      name += body[i];
    } else if (hexDigit(body.charCodeAt(i + 1)) < 0) {
      name += body.slice(i, i + 2); // `##41` is `##41`: the second `#` starts nothing
      i += 1;
    } else if (hexDigit(body.charCodeAt(i + 2)) < 0) {
      name += body.slice(i, i + 3);
      i += 2;
    } else {
      name += String.fromCharCode(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    }
  }
  return name;
}

/** pdfjs's Lexer over latin1 text, from `at`; `next()` returns undefined at the end of the text. */
class Lexer {
  constructor(
    private readonly text: string,
    public at = 0,
  ) {}

  private ch(at = this.at): number {
    return at < this.text.length ? this.text.charCodeAt(at) : -1;
  }

  next(): Token | typeof LEX_ERROR | undefined {
    for (let comment = false; ; this.at++) {
      const ch = this.ch();
      if (ch < 0) {
        return undefined;
      }
      if (comment) {
        comment = ch !== 0x0a && ch !== 0x0d;
      } else if (ch === 0x25) {
        comment = true;
      } else if (SPECIAL[ch] !== 1) {
        break;
      }
    }
    const ch = this.ch();
    if (isDigit(ch) || ch === 0x2b || ch === 0x2d || ch === 0x2e) {
      return this.number();
    }
    switch (ch) {
      case 0x28:
        return this.string();
      case 0x2f:
        return this.name();
      case 0x3c:
        if (this.ch(this.at + 1) === 0x3c) {
          this.at += 2;
          return new PdfCmd('<<');
        }
        return this.hexString();
      case 0x3e:
        if (this.ch(this.at + 1) === 0x3e) {
          this.at += 2;
          return new PdfCmd('>>');
        }
        this.at++;
        return new PdfCmd('>');
      case 0x5b:
      case 0x5d:
      case 0x7b:
      case 0x7d:
        this.at++;
        return new PdfCmd(String.fromCharCode(ch));
      case 0x29:
        this.at++;
        return LEX_ERROR; // pdfjs: "Illegal character"
    }
    return this.keyword();
  }

  /** pdfjs's getNumber, quirks included: `--1` is -1, newlines after a sign are skipped, `1-2` is 12. */
  private number(): number | typeof LEX_ERROR {
    let ch = this.ch();
    let [divideBy, sign] = [0, 1];
    if (ch === 0x2d) {
      sign = -1;
      ch = this.ch(++this.at);
      if (ch === 0x2d) {
        ch = this.ch(++this.at);
      }
    } else if (ch === 0x2b) {
      ch = this.ch(++this.at);
    }
    while (ch === 0x0a || ch === 0x0d) {
      ch = this.ch(++this.at);
    }
    if (ch === 0x2e) {
      divideBy = 10;
      ch = this.ch(++this.at);
    }
    if (!isDigit(ch)) {
      return isNarrowWhiteSpace(ch) || ch === 0x28 || ch === 0x3c || ch < 0 ? 0 : LEX_ERROR;
    }
    let value = ch - 0x30;
    for (ch = this.ch(++this.at); ch >= 0; ch = this.ch(++this.at)) {
      if (isDigit(ch)) {
        divideBy = divideBy === 0 ? 0 : divideBy * 10;
        value = value * 10 + (ch - 0x30);
      } else if (ch === 0x2e && divideBy === 0) {
        divideBy = 1;
      } else if (ch !== 0x2d) {
        break;
      }
    }
    return sign * (divideBy === 0 ? value : value / divideBy);
  }

  /** A literal string: balanced parentheses, a backslash escaping the next character. Unterminated: to the end. */
  private string(): PdfString {
    let depth = 1;
    const start = ++this.at;
    for (let ch = this.ch(); ch >= 0; ch = this.ch()) {
      this.at += ch === 0x5c ? 2 : 1;
      depth += ch === 0x28 ? 1 : ch === 0x29 ? -1 : 0;
      if (depth === 0) {
        return new PdfString(this.text.slice(start, this.at - 1));
      }
    }
    this.at = this.text.length;
    return new PdfString(this.text.slice(start));
  }

  private hexString(): PdfString {
    const end = this.text.indexOf('>', this.at + 1);
    const body = this.text.slice(this.at + 1, end < 0 ? undefined : end);
    this.at = end < 0 ? this.text.length : end + 1;
    return new PdfString(body);
  }

  private name(): PdfName {
    const start = ++this.at;
    while (this.at < this.text.length && !isSpecial(this.ch())) {
      this.at++;
    }
    return new PdfName(unescapeName(this.text.slice(start, this.at)));
  }

  /** A keyword up to the next whitespace or delimiter; a control or non-ASCII byte before a printable one is one. */
  private keyword(): Token | typeof LEX_ERROR {
    const first = this.ch();
    const next = this.ch(this.at + 1);
    if ((first < 0x20 || first > 0x7f) && next >= 0x20 && next <= 0x7f) {
      this.at++;
      return new PdfCmd(String.fromCharCode(first));
    }
    const start = this.at;
    while (++this.at < this.text.length && !isSpecial(this.ch())) {
      if (this.at - start >= 128) {
        return LEX_ERROR; // pdfjs: "Command token too long"
      }
    }
    const word = this.text.slice(start, this.at);
    return word === 'true' ? true : word === 'false' ? false : word === 'null' ? null : new PdfCmd(word);
  }
}

/** The token at `at`, or undefined where there is none or the lexer would throw. */
export function tokenAt(text: string, at: number): Token | undefined {
  const token = new Lexer(text, at).next();
  return token === LEX_ERROR ? undefined : token;
}

export const isCmd = (token: unknown, cmd: string): boolean => token instanceof PdfCmd && token.cmd === cmd;

/** Deeper nesting than this gives up the parse (pdfjs would run out of stack somewhere too). */
const MAX_DEPTH = 256;

/** The dictionary a parse ended on: the one whose `>>` is the last token. */
export interface ClosingDictionary {
  dict: PdfDict;
  /** An `obj` keyword comes before its `<<`, with no `stream` keyword in between: an object's, not inline data's. */
  inObject: boolean;
}

/**
 * pdfjs's Parser.getObj over tokens, for the dictionary whose `>>` is the last one (the text given ends where the
 * `stream` keyword starts, and pdfjs makes a stream of the dictionary closed right before it, at any depth). pdfjs
 * gives up an object where its lexer throws, so only the tokens after the last such place are parsed.
 */
class Parser {
  private at = 0;
  private found: ClosingDictionary | undefined;

  constructor(private readonly tokens: Token[]) {}

  closingDictionary(): ClosingDictionary | undefined {
    try {
      while (this.at < this.tokens.length && this.found === undefined) {
        this.object(0);
      }
    } catch {
      return undefined; // too deep
    }
    return this.found;
  }

  private object(depth: number): PdfObject {
    if (depth > MAX_DEPTH) {
      throw new Error('too deep');
    }
    const { tokens } = this;
    const token = tokens[this.at++];
    if (token instanceof PdfCmd && token.cmd === '[') {
      const array: PdfObject[] = [];
      while (this.at < tokens.length && !isCmd(tokens[this.at], ']')) {
        array.push(this.object(depth + 1));
      }
      this.at++;
      return array;
    }
    if (token instanceof PdfCmd && token.cmd === '<<') {
      const open = this.at - 1;
      const dict: PdfDict = new Map();
      while (this.at < tokens.length && !isCmd(tokens[this.at], '>>')) {
        const key = tokens[this.at++];
        if (key instanceof PdfName && this.at < tokens.length) {
          dict.set(key.name, this.object(depth + 1)); // anything else where a key belongs is skipped
        }
      }
      if (this.at === tokens.length - 1 && this.found === undefined) {
        this.found = { dict, inObject: this.inObject(open) };
      }
      this.at++;
      return dict;
    }
    const [next, after] = [tokens[this.at], tokens[this.at + 1]];
    if (Number.isInteger(token) && Number.isInteger(next) && isCmd(after, 'R')) {
      this.at += 2;
      return new PdfRef(token as number, next as number);
    }
    return token;
  }

  private inObject(open: number): boolean {
    for (let i = open - 1; i >= 0; i--) {
      if (isCmd(this.tokens[i], 'obj')) {
        return true;
      }
      if (isCmd(this.tokens[i], 'stream')) {
        return false;
      }
    }
    return false;
  }
}

/** Every token of the text; where the lexer would throw, those before are dropped (see Parser). */
function tokensAfterLastError(text: string): Token[] {
  const lexer = new Lexer(text);
  let tokens: Token[] = [];
  for (let token = lexer.next(); token !== undefined; token = lexer.next()) {
    if (token === LEX_ERROR) {
      tokens = [];
    } else {
      tokens.push(token);
    }
  }
  return tokens;
}

/** The dictionary a text ends on (see Parser), or undefined where it ends on none. */
export function closingDictionary(text: string): ClosingDictionary | undefined {
  return new Parser(tokensAfterLastError(text)).closingDictionary();
}

/** Every name token in the text with the token after it (undefined at the end), lexed from the start. */
export function* namedValues(text: string): Generator<[string, Token | undefined]> {
  const lexer = new Lexer(text);
  let previous: PdfName | undefined;
  for (let token = lexer.next(); token !== undefined; token = lexer.next()) {
    const value = token === LEX_ERROR ? undefined : token;
    if (previous !== undefined) {
      yield [previous.name, value];
    }
    previous = value instanceof PdfName ? value : undefined;
  }
  if (previous !== undefined) {
    yield [previous.name, undefined];
  }
}
