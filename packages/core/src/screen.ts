/**
 * A cheap screen every answer passes through, in the gateway: does this look
 * like garbage a provider produced in a brownout, rather than an answer? It
 * reads the text once, as it streams, and keeps only counts and a short tail.
 * It never blocks or changes an answer (a false alarm must cost nothing): a
 * flagged answer is judged, and a tier whose recent answers are flagged at a
 * high rate opens (the breaker's `screen` signal).
 *
 * What it looks for, each a sign of broken decoding or sampling rather than of
 * an unusual but real answer:
 *   - U+FFFD replacement characters (bytes that were not text), or control
 *     characters other than tab, newline and carriage return — unless the
 *     prompt holds them too;
 *   - symbol soup: most visible characters neither letters nor digits
 *     (answers shaped like JSON are exempt; code stays well below);
 *   - script soup: letters from four or more writing systems at once, most of
 *     them absent from the prompt;
 *   - a repetition loop: the answer ends in one short unit holding a letter
 *     (a word, a phrase) repeated eight times or more.
 */

/** Writing systems told apart by the script-soup rule, by code point range. */
const SCRIPTS: Array<[name: string, from: number, to: number]> = [
  ["latin", 0x41, 0x24f],
  ["greek", 0x370, 0x3ff],
  ["cyrillic", 0x400, 0x52f],
  ["armenian", 0x530, 0x58f],
  ["hebrew", 0x590, 0x5ff],
  ["arabic", 0x600, 0x6ff],
  ["devanagari", 0x900, 0x97f],
  ["bengali", 0x980, 0x9ff],
  ["thai", 0xe00, 0xe7f],
  ["georgian", 0x10a0, 0x10ff],
  ["hangul", 0x1100, 0x11ff],
  ["kana", 0x3040, 0x30ff],
  ["han", 0x4e00, 0x9fff],
  ["hangul", 0xac00, 0xd7af],
];

const letter = /\p{L}/u;
const mark = /\p{M}/u;
const digit = /\p{N}/u;
const space = /\s/u;

function scriptOf(codePoint: number): string | undefined {
  for (const [name, from, to] of SCRIPTS) if (codePoint >= from && codePoint <= to) return name;
  return undefined;
}

/** Letters per script in `text` (the prompt's, for script soup). */
export function scriptsIn(text: string): Set<string> {
  const found = new Set<string>();
  for (const char of text) {
    const script = scriptOf(char.codePointAt(0) as number);
    if (script && letter.test(char)) found.add(script);
  }
  return found;
}

/** Shorter answers are not judged by their shape: too little to tell. */
const MIN_VISIBLE = 20;
const SYMBOL_SHARE = 0.6;
const MIN_SCRIPT_LETTERS = 3;
const SOUP_SCRIPTS = 4;
/** C0 and C1 control characters, but for tab, newline and carriage return. */
const isControl = (code: number) =>
  (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || (code >= 0x7f && code < 0xa0);

function holdsControl(text: string): boolean {
  for (const char of text) if (isControl(char.codePointAt(0) as number)) return true;
  return false;
}

const LOOP_UNIT_MAX = 40;
const LOOP_REPEATS = 8;
/** Enough of the end for the longest loop, with whitespace runs to spare. */
const TAIL_CHARS = 2 * LOOP_UNIT_MAX * LOOP_REPEATS;

/** The unit `tail` ends in, repeated LOOP_REPEATS times or more (whitespace runs as one space), if it holds a letter. */
function endingLoop(tail: string): string | undefined {
  const text = tail.replace(/\s+/gu, " ").trimEnd();
  for (let size = 1; size <= LOOP_UNIT_MAX; size++) {
    const unit = text.slice(-size);
    let repeats = 1;
    while (repeats < LOOP_REPEATS && text.slice(-(repeats + 1) * size, -repeats * size) === unit) repeats++;
    if (repeats >= LOOP_REPEATS && letter.test(unit)) return unit.trim();
  }
  return undefined;
}

export class AnswerScreen {
  private visible = 0;
  private symbols = 0;
  private replacement = 0;
  private control = 0;
  private readonly letters = new Map<string, number>();
  private tail = "";
  private head = "";

  push(text: string): void {
    let latin = 0;
    for (const char of text) {
      const code = char.codePointAt(0) as number;
      if (isControl(code)) this.control++;
      if (code < 0x80) {
        // ASCII, most of most answers: classified by its code, without a regular expression per character.
        if (code === 0x20 || (code >= 0x09 && code <= 0x0d)) continue;
        this.visible++;
        if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) latin++;
        else if (code < 0x30 || code > 0x39) this.symbols++;
        continue;
      }
      if (code === 0xfffd) this.replacement++;
      if (space.test(char)) continue;
      this.visible++;
      if (letter.test(char)) {
        const script = scriptOf(code);
        if (script) this.letters.set(script, (this.letters.get(script) ?? 0) + 1);
      } else if (!digit.test(char) && !mark.test(char)) this.symbols++;
    }
    if (latin > 0) this.letters.set("latin", (this.letters.get("latin") ?? 0) + latin);
    if (this.head.length < 16) this.head = (this.head + text).trimStart().slice(0, 16);
    this.tail = (this.tail + text).slice(-TAIL_CHARS);
  }

  /**
   * Why the answer looks garbled, or undefined. `promptText` is read only when
   * the script-soup rule needs it (most answers never get that far).
   */
  verdict(promptText: () => string): string | undefined {
    let prompt: string | undefined;
    const readPrompt = () => {
      if (prompt === undefined) prompt = promptText();
      return prompt;
    };
    // Unless the prompt holds them too (a request to clean up mis-decoded text may quote them back).
    if (this.replacement > 0 && !readPrompt().includes("\uFFFD")) {
      return `${this.replacement} replacement character(s) (U+FFFD)`;
    }
    if (this.control > 0 && !holdsControl(readPrompt())) return `${this.control} control character(s)`;
    if (this.visible < MIN_VISIBLE) return undefined;
    const jsonShaped = this.head.startsWith("{") || this.head.startsWith("[");
    if (!jsonShaped && this.symbols / this.visible > SYMBOL_SHARE) {
      return `${Math.round((100 * this.symbols) / this.visible)}% of visible characters are symbols`;
    }
    const scripts = [...this.letters].filter(([, count]) => count >= MIN_SCRIPT_LETTERS).map(([name]) => name);
    if (scripts.length >= SOUP_SCRIPTS) {
      const inThePrompt = scriptsIn(readPrompt());
      const foreign = scripts.filter((script) => !inThePrompt.has(script));
      if (foreign.length >= SOUP_SCRIPTS - 1)
        return `letters from ${scripts.length} writing systems (${scripts.join(", ")})`;
    }
    const unit = endingLoop(this.tail);
    return unit === undefined ? undefined : `ends in a loop repeating ${JSON.stringify(unit)}`;
  }
}
