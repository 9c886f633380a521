"""Providers' staff: their offer, service events, settlements."""
