"""View models: domain and service results turned into texts for one language."""
