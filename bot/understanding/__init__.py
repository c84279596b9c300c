"""Understanding a message: normalising, the lexicon, the emergency detector, the matcher, and
reading.py, the one place that decides what a message needs."""
