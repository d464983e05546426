"""Handlers: one module per AWS service; operation name → domain call, plus its authorization."""
