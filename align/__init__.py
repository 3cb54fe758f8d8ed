"""untm alignment side: seed documents → segmented, aligned paragraph and sentence pairs."""

__version__ = "0.2.0"
