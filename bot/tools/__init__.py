"""Staff tools: the hrbot command, the terminal chat, the checker, evaluation, hrbot init."""
