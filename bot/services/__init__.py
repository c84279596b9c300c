"""The local services directory: its files, finding the nearest and open, its replies, import."""
