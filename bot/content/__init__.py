"""Content files: reading, validating and layering them. Schemas share bot/content/kit.py."""
