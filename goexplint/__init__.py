"""goexplint: a tree-sitter based linter for Go concurrency, unsafe and timeout hazards."""

__version__ = "0.1.0"
