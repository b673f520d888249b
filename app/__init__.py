"""icc-exposure: does an ICC arrest warrant expose this person to arrest here, on this date?"""

__version__ = "0.1.0"
