"""Scoring: a plan against history on the same crowd (paired), calibration, comparison, checks and the debrief."""
