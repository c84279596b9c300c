"""The conversation's values (an Event in, a Reply out) and the button and command protocol."""
