"""Cache invalidation for per-user scope grants."""
