"""Request handlers, one module per noun; ``routes`` lists them all."""
