"""Pages of 评诺, one module per part; each module defines its own `urlpatterns` list."""
