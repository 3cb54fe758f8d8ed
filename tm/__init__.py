"""untm translation-memory side: aligned pairs → TMX, TSV, terminology and search."""
