/**
 * displayText / displayMultiline: every class of character that changes how text around it is drawn is
 * removed (bidi controls, C0, DEL, C1) or turned into a space (line breaks, on one line); ordinary text,
 * right-to-left letters and joiners are kept.
 */
import { describe, expect, it } from 'vitest';
import { escapeHtml, isolateHtml, isolatePartsHtml } from '../../../worker/report/html-escape.js';
import {
  displayMultiline,
  displayText,
  isBidiControl,
  isControl,
} from '../../../worker/text/display-text.js';

const BIDI = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069'];
const MARKS = ['\u200E', '\u200F', '\u061C'];

describe('displayText', () => {
  it('neutralises the right-to-left override spoof', () => {
    expect(displayText('Mallory \u202Egnp.exe')).toBe('Mallory gnp.exe');
  });

  it('removes every bidi embedding, override and isolate (U+202A–U+202E, U+2066–U+2069)', () => {
    for (const c of BIDI) {
      expect(isBidiControl(c.charCodeAt(0))).toBe(true);
      expect(displayText(`a${c}b`)).toBe('ab');
      expect(displayMultiline(`a${c}b`)).toBe('ab');
    }
  });

  it('removes the directional marks (LRM U+200E, RLM U+200F, ALM U+061C)', () => {
    for (const c of MARKS) {
      expect(isBidiControl(c.charCodeAt(0))).toBe(true);
      expect(displayText(`x${c}y`)).toBe('xy');
    }
  });

  it('removes C0 controls that are not whitespace (NUL, BEL, BS, ESC…)', () => {
    expect(displayText('a\u0000b\u0007c\u0008d')).toBe('abcd');
    // A terminal escape sequence loses its ESC and becomes visible, harmless text.
    expect(displayText('\u001B[31mred\u001B[0m')).toBe('[31mred[0m');
    for (let code = 0; code <= 0x1f; code++) expect(isControl(code)).toBe(true);
  });

  it('removes DEL and C1 controls (U+007F–U+009F, e.g. the 8-bit CSI U+009B)', () => {
    expect(displayText('a\u007Fb\u0080c\u009Bd\u009Fe')).toBe('abcde');
    for (let code = 0x7f; code <= 0x9f; code++) expect(isControl(code)).toBe(true);
    expect(isControl(0xa0)).toBe(false);
  });

  it('turns line breaks, tabs and line/paragraph separators into spaces on one line', () => {
    expect(displayText('Re: hi\r\n* fake item')).toBe('Re: hi  * fake item');
    expect(displayText('a\tb\u000Bc\u000Cd\u0085e\u2028f\u2029g')).toBe('a b c d e f g');
  });

  it('keeps ordinary and right-to-left text, emoji joiners and non-breaking spaces', () => {
    for (const text of ['Zoë Ñúñez', 'שלום עולם', 'مرحبا', '👩‍👩‍👧', 'a\u00A0b', 'a\u200Db']) {
      expect(displayText(text)).toBe(text);
    }
  });

  it('returns the same string when there is nothing to remove', () => {
    const text = 'Ada Lovelace <ada@example.com>';
    expect(displayText(text)).toBe(text);
  });

  it('cleans a part exactly as it cleans it inside a whole', () => {
    const part = "'Re: \u202Egnp.exe\n'";
    expect(displayText(`asked ${part} 3 days ago`)).toBe(`asked ${displayText(part)} 3 days ago`);
  });
});

describe('displayMultiline', () => {
  it('keeps tab, line feed and carriage return but removes other controls and bidi controls', () => {
    expect(displayMultiline('a\tb\r\nc\u0000\u001B\u202Ed\u2066')).toBe('a\tb\r\ncd');
  });
});

describe('HTML helpers', () => {
  it('escapeHtml removes controls and bidi controls too', () => {
    expect(escapeHtml('<Mallory \u202Egnp.exe>')).toBe('&lt;Mallory gnp.exe&gt;');
  });

  it('isolateHtml puts one cleaned line in a <bdi> isolate', () => {
    expect(isolateHtml('Mallory \u202Egnp.exe\n<b>')).toBe('<bdi>Mallory gnp.exe &lt;b&gt;</bdi>');
  });

  it('isolatePartsHtml isolates each quoted part in a sentence', () => {
    const subject = "'שלום \u202Eyes'";
    expect(isolatePartsHtml(`asked ${subject} 3 days ago`, [subject])).toBe(
      'asked <bdi>&#39;שלום yes&#39;</bdi> 3 days ago',
    );
    expect(isolatePartsHtml('no quote here', ["'x'", null])).toBe('no quote here');
  });
});
