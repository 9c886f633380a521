"""The organizer's case workers: caseload, clients, swaps, provider feedback."""
