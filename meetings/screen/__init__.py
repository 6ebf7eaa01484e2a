"""The meeting screen: phases, notes, attendance, agreements and their review, and the screen's view-model."""
