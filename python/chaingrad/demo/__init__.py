"""``python -m chaingrad.demo``: chaingrad's demos (see ``__main__``)."""
