"""The course and its network: the citizen, the people around them, their goals, the course page."""
