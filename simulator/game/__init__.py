"""What a player or a facilitator does: a game on a crowd, its menus, saved-game replay, and teams (no UI here)."""
