"""untm alignment side: seed documents → segmented, aligned paragraph and sentence pairs."""

__version__ = "0.1.0"
