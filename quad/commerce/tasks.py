"""Background work for commerce runs as idempotent management commands (expire_orders)."""
