"""Fold text to the one plain form the secrecy guard compares: what a reader *sees*, not the
code points a DMS (or someone hiding a mark) happened to use.

Why each step, in order (``fold``):

1. NFKD: compatibility forms become plain letters (mathematical 𝐌, letterlike ℳ, full-width Ｍ,
   circled Ⓜ, no-break spaces) and accented letters come apart, so that a look-alike *base*
   letter under Vietnamese accents (Cyrillic а + dot below + circumflex) can be folded in step 2.
2. Look-alikes (``_LOOK_ALIKES``) of the letters the marks are written with become those Latin
   letters, once before casefolding (Greek capital Η, Ν, Υ look like H, N, Y but casefold to
   η, ν, υ, which look like other letters) and once after (what casefolding itself produced).
3. Casefold.
4. Drop every Default_Ignorable_Code_Point (``_IGNORABLE``): they are invisible, so a mark with
   one inside still reads as a mark. Combining marks that Vietnamese never writes (Zalgo-style
   M̈, enclosing circles) are dropped too; the nine Vietnamese ones stay.
5. NFC: accents recompose, so "mật" in NFD, or built on folded look-alikes, is "mật" again.

Runs of whitespace are not touched here; the guard handles lines and spaces itself.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "may_fold_to_mat"]

#: Default_Ignorable_Code_Point from DerivedCoreProperties.txt of Unicode 15.1.0 (4,174 code
#: points; the same set in Unicode 14.0, the version of Python 3.11's unicodedata). Ranges are
#: inclusive; reserved code points in them are listed too, as the Unicode file does.
_IGNORABLE_RANGES: tuple[tuple[int, int], ...] = (
    (0x00AD, 0x00AD),  # SOFT HYPHEN
    (0x034F, 0x034F),  # COMBINING GRAPHEME JOINER
    (0x061C, 0x061C),  # ARABIC LETTER MARK
    (0x115F, 0x1160),  # HANGUL CHOSEONG FILLER..HANGUL JUNGSEONG FILLER
    (0x17B4, 0x17B5),  # KHMER VOWEL INHERENT AQ..AA
    (0x180B, 0x180D),  # MONGOLIAN FREE VARIATION SELECTOR ONE..THREE
    (0x180E, 0x180E),  # MONGOLIAN VOWEL SEPARATOR
    (0x180F, 0x180F),  # MONGOLIAN FREE VARIATION SELECTOR FOUR
    (0x200B, 0x200F),  # ZERO WIDTH SPACE..RIGHT-TO-LEFT MARK
    (0x202A, 0x202E),  # LEFT-TO-RIGHT EMBEDDING..RIGHT-TO-LEFT OVERRIDE
    (0x2060, 0x2064),  # WORD JOINER..INVISIBLE PLUS
    (0x2065, 0x2065),  # <reserved-2065>
    (0x2066, 0x206F),  # LEFT-TO-RIGHT ISOLATE..NOMINAL DIGIT SHAPES
    (0x3164, 0x3164),  # HANGUL FILLER
    (0xFE00, 0xFE0F),  # VARIATION SELECTOR-1..16
    (0xFEFF, 0xFEFF),  # ZERO WIDTH NO-BREAK SPACE
    (0xFFA0, 0xFFA0),  # HALFWIDTH HANGUL FILLER
    (0xFFF0, 0xFFF8),  # <reserved-FFF0>..<reserved-FFF8>
    (0x1BCA0, 0x1BCA3),  # SHORTHAND FORMAT LETTER OVERLAP..UP STEP
    (0x1D173, 0x1D17A),  # MUSICAL SYMBOL BEGIN BEAM..END PHRASE
    (0xE0000, 0xE0FFF),  # tags, VARIATION SELECTOR-17..256 and reserved code points
)

#: The combining marks Vietnamese writes (grave, acute, circumflex, tilde, breve, hook above,
#: horn, dot below; NFKD turns the tone marks U+0340/0341 into the first two).
_VIETNAMESE_MARKS = frozenset("\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323")

#: Blocks of combining marks that can decorate a Latin letter: any mark from them that
#: Vietnamese does not write is dropped.
_DECORATION_BLOCKS = ((0x0300, 0x036F), (0x0483, 0x0489), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF),
                      (0x20D0, 0x20FF), (0xFE20, 0xFE2F))


def _without(ranges: tuple[tuple[int, int], ...], keep: frozenset[str]
             ) -> list[tuple[int, int]]:
    """The ranges with the code points in ``keep`` cut out."""
    points = [cp for lo, hi in ranges for cp in range(lo, hi + 1) if chr(cp) not in keep]
    cut: list[tuple[int, int]] = []
    for cp in points:
        if cut and cut[-1][1] == cp - 1:
            cut[-1] = (cut[-1][0], cp)
        else:
            cut.append((cp, cp))
    return cut


def _char_class(ranges: list[tuple[int, int]] | tuple[tuple[int, int], ...]) -> str:
    return "[" + "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in ranges) + "]"


_INVISIBLE = re.compile(_char_class(
    [*_IGNORABLE_RANGES, *_without(_DECORATION_BLOCKS, _VIETNAMESE_MARKS)]) + "+")

#: Look-alikes of the letters in MẬT, TỐI MẬT, TUYỆT MẬT, ĐỘ MẬT and the urgency marks (KHẨN,
#: THƯỢNG KHẨN, HỎA TỐC, HẸN GIỜ), chosen from Unicode's confusables (UTS #39) for the scripts a
#: Vietnamese keyboard or a copy-paste can bring in: Cyrillic, Greek, Armenian, Cherokee, Lisu,
#: IPA small capitals; plus the digits 0 and 1 and the letter l, which read as O and I in marks
#: written in capitals. Capitals map to capitals, small letters to small letters.
_LOOK_ALIKES: dict[str, str] = {
    **dict.fromkeys("АΑᎪꓮ", "A"), **dict.fromkeys("аαɑ⍺ᴀ", "a"),
    **dict.fromkeys("СϹᏟꓚ", "C"), **dict.fromkeys("сϲᴄⲥ", "c"),
    **dict.fromkeys("Ꭰꓓ", "D"), **dict.fromkeys("ԁᴅ", "d"),
    **dict.fromkeys("ƉÐ", "Đ"), **dict.fromkeys("ɖð", "đ"),
    **dict.fromkeys("ЕΕᎬꓰ", "E"), **dict.fromkeys("еҽ℮ᴇ", "e"),
    **dict.fromkeys("ԌᏀꓖ", "G"), **dict.fromkeys("ɡցԍɢ", "g"),
    **dict.fromkeys("НΗᎻꓧ", "H"), **dict.fromkeys("һհʜ", "h"),
    **dict.fromkeys("ІΙӀꓲ1", "I"), **dict.fromkeys("іιıɩӏɪᎥǀl", "i"),
    **dict.fromkeys("КΚᏦꓗ", "K"), **dict.fromkeys("κĸᴋ", "k"),
    **dict.fromkeys("МΜᎷꓟϺ", "M"), **dict.fromkeys("мᴍ", "m"),
    **dict.fromkeys("Νꓠ", "N"), **dict.fromkeys("ոɴ", "n"),
    **dict.fromkeys("ОΟՕꓳⲞ0", "O"), **dict.fromkeys("оοօᴏ", "o"),
    **dict.fromkeys("ТΤᎢꓔⲦ", "T"), **dict.fromkeys("тτᴛŧƭʈ", "t"),
    **dict.fromkeys("Սꓴ", "U"), **dict.fromkeys("υսᴜʋ", "u"),
    **dict.fromkeys("УΥҮꓬᎩ", "Y"), **dict.fromkeys("уүʏɣ", "y"),
}
#: The non-ASCII look-alikes are rare in real text, so a regex finds them faster than
#: str.translate walks every character; the three ASCII ones are plain replacements.
_NON_ASCII_LOOK_ALIKE = re.compile("[" + "".join(sorted(
    re.escape(c) for c in _LOOK_ALIKES if not c.isascii())) + "]")
_ASCII_LOOK_ALIKES = tuple((c, t) for c, t in _LOOK_ALIKES.items() if c.isascii())

#: Look-alikes made of two characters, after casefolding: "rn" reads as "m", a "d" with a
#: combining stroke as "đ".
_PAIRS = (("rn", "m"), ("d\u0335", "đ"), ("d\u0336", "đ"))


#: Text made only of ASCII, the precomposed Vietnamese letters and a few typographic marks that
#: every normalisation leaves alone: for it, the steps above amount to casefolding and the
#: ASCII look-alikes, and skipping the decomposition makes a multi-MB field several times faster.
_VIETNAMESE_LETTERS = "".join(sorted({
    unicodedata.normalize("NFC", vowel + tone)
    for vowel in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
    for tone in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
} | set("đĐ")))
_PLAIN_CHARACTERS = "\x00-\x7f" + _VIETNAMESE_LETTERS + "–—“”‘’«»"
_PLAIN = re.compile(f"[{_PLAIN_CHARACTERS}]*")
#: What can fold to "mat" or "mật": in plain text, an m (or an "rn", which folds to m) then an a
#: or ậ then a t, in any case; or any character outside the plain set (whose folding is not
#: predicted here). Plain text folds by casefolding and l/1/0/rn only: no plain character
#: becomes a, ậ or t, and none but m and rn becomes m.
_MAY_FOLD_TO_MAT = re.compile(f"(?:[mM]|[rR][nN])[aAậẬ][tT]|[^{_PLAIN_CHARACTERS}]")


def may_fold_to_mat(text: str) -> bool:
    """False when ``fold(text)`` certainly holds neither "mat" nor "mật": every secrecy level
    is one of them, so the guard skips most of a packet's texts (numbers, codes, names, URIs)
    without folding them. ASCII text (most values) is answered with two substring tests, which
    cost half a regex search."""
    if text.isascii():
        lowered = text.lower()
        return "mat" in lowered or "rnat" in lowered
    return _MAY_FOLD_TO_MAT.search(text) is not None


def fold(text: str) -> str:
    """The form the secrecy guard compares (see the module docstring for each step)."""
    if _PLAIN.fullmatch(text):
        return _ascii_look_alikes(text.casefold())
    return _fold_any(text)


def _fold_any(text: str) -> str:
    folded = _look_alikes(unicodedata.normalize("NFKD", text))
    folded = _look_alikes(folded.casefold())
    for pair, letter in _PAIRS:
        if pair in folded:
            folded = folded.replace(pair, letter)
    return unicodedata.normalize("NFC", _INVISIBLE.sub("", folded))


def _look_alikes(text: str) -> str:
    text = _NON_ASCII_LOOK_ALIKE.sub(lambda m: _LOOK_ALIKES[m.group()], text)
    for char, letter in _ASCII_LOOK_ALIKES:
        if char in text:
            text = text.replace(char, letter)
    return text


def _ascii_look_alikes(folded: str) -> str:
    """The look-alikes of casefolded plain text: l, 1, 0 and "rn"."""
    for char, letter in (("l", "i"), ("1", "i"), ("0", "o"), ("rn", "m")):
        if char in folded:
            folded = folded.replace(char, letter)
    return folded
