"""Input files checked before any stage writes: not empty, and in the language their role says.

The language is detected from the text (extract.detect_language), so Chinese given as English, two
files swapped, or one language twice are refused with a hint instead of aligning nonsense.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from align.errors import ExtractError
from align.extract import Segmented, detect_language, read_text, segment_file

LANGUAGE_NAMES = {"zh": "Chinese", "en": "English"}


def check_not_empty(path: Path, texts: Sequence[str]) -> None:
    """ExtractError naming `path` when it holds no text at all (empty or only white space)."""
    if not any(text.strip() for text in texts):
        raise ExtractError(f"{path} is empty (no text, or only white space)",
                           hint="check that the file is the document's text; an extracted PDF may have come out blank")


def detected_language(texts: Sequence[str]) -> str:
    return detect_language("\n".join(texts))


def check_roles(roles: Sequence[tuple[Path, str, str]], *, lang_option: bool = False) -> None:
    """Each (path, expected language, detected language) must agree; swapped or same-language pairs say so.

    `lang_option`: the command has a --lang option (untm segment), so the hint may suggest it."""
    wrong = [(path, expected, found) for path, expected, found in roles if expected != found]
    if not wrong:
        return
    if len(roles) == 2 and len(wrong) == 2:
        (zh_path, _, _), (en_path, _, _) = roles
        raise ExtractError(f"the two files seem swapped: {zh_path} is English and {en_path} is Chinese",
                           hint=f"give the Chinese file first, then the English one: {en_path} {zh_path}")
    if len(roles) == 2:
        found = wrong[0][2]
        raise ExtractError(f"both files are {LANGUAGE_NAMES[found]}: {roles[0][0]} and {roles[1][0]}",
                           hint="give one Chinese and one English file, Chinese first")
    path, expected, found = wrong[0]
    article = "an" if expected == "en" else "a"
    raise ExtractError(f"{path} looks {LANGUAGE_NAMES[found]}, but it is given as {LANGUAGE_NAMES[expected]}",
                       hint=f"give {article} {LANGUAGE_NAMES[expected]} file here"
                            + (f", or say --lang {found}" if lang_option else ""))


def segment_checked(path: Path, lang: str, symbol: str | None = None, *, lang_option: bool = False) -> Segmented:
    """segment_file, refusing an empty file or one whose text is not in `lang` (`lang_option`: see check_roles)."""
    segmented = segment_file(path, lang, symbol)
    texts = [p.text for p in segmented.document.paragraphs]
    check_not_empty(path, texts)
    check_roles([(Path(path), lang, detected_language(texts))], lang_option=lang_option)
    return segmented


def segment_pair(zh_path: Path, en_path: Path, symbol: str | None = None) -> tuple[Segmented, Segmented]:
    """Both files of a pair segmented and checked together, so a swapped pair is named as such."""
    zh, en = segment_file(zh_path, "zh", symbol), segment_file(en_path, "en", symbol)
    zh_texts, en_texts = [p.text for p in zh.document.paragraphs], [p.text for p in en.document.paragraphs]
    check_not_empty(zh_path, zh_texts)
    check_not_empty(en_path, en_texts)
    check_roles([(Path(zh_path), "zh", detected_language(zh_texts)), (Path(en_path), "en", detected_language(en_texts))])
    return zh, en


def check_line_files(zh_path: Path, en_path: Path) -> None:
    """The presegmented files of `untm align`: neither empty, Chinese first, English second."""
    zh_lines, en_lines = read_text(zh_path).splitlines(), read_text(en_path).splitlines()
    check_not_empty(zh_path, zh_lines)
    check_not_empty(en_path, en_lines)
    check_roles([(Path(zh_path), "zh", detected_language(zh_lines)), (Path(en_path), "en", detected_language(en_lines))])
