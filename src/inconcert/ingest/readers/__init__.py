"""One module per input format; each registers its reader with `@register`."""
