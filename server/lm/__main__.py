"""`python -m unspin.lm`: the one-time conversion of the language model (make install runs it)."""

from .convert import convert

print(convert())
