"""The shared kernel below every area: enums with titles, time, web helpers, the one refusal type.

It imports no area (`roles`, `meetings`, `exports`); every area may import it.
"""
