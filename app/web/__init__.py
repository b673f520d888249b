"""The web page: a world map of one person's exposure on a date."""
