"""Files that inconcert writes for people and for other tools."""
