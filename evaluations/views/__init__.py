"""Pages of 评诺, one module per part; evaluations/urls.py lists their addresses."""
