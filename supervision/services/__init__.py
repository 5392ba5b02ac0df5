"""Writes of the supervision app: register, plans and the draw, inspections, notices, risk grades."""
