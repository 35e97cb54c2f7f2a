"""Pages of the service, one module per journey."""
