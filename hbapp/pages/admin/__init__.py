"""The organizer's administrators: service catalog, provider register."""
