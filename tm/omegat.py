"""OmegaT project rules written beside the TMX: `OUT/omegat/segmentation.conf`.

OmegaT's default rules split a leading paragraph number off an English sentence ("72. Decides…")
but never off a Chinese one ("72. 决定…": its Chinese rules forbid a break after "."). So zh→en, a
sentence that recurs under another number in another document matches no unit exactly, even
though untm writes every numbered unit without its label too. The file holds OmegaT's own default
rules for Chinese, English and all languages, plus one Chinese rule that splits the number off as
the English rules do (made with OmegaT's own classes by scripts/MakeOmegatSegmentation.java; the
rules are OmegaT's, GPL-3.0, like this project). A translator puts it in a project's omegat/
folder (or imports its rules under Project → Properties → Segmentation); tests/test_omegat.py
measures both ways.
"""

from __future__ import annotations

from pathlib import Path

from align.types import write_atomic

SEGMENTATION = Path(__file__).parent / "data" / "omegat-segmentation.conf"


def write_segmentation(out: Path) -> Path:
    """OUT/omegat/segmentation.conf (the same bytes on every build)."""
    return write_atomic(Path(out) / "omegat" / "segmentation.conf", SEGMENTATION.read_bytes())
