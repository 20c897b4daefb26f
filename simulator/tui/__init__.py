"""The Textual app: renders a game session and sends the player's decisions; no game logic here."""
