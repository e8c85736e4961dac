"""The shipped roleclass model, installed as package data (see MODEL_CARD.md)."""
