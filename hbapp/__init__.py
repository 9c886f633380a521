"""HB: a mobile-first app for the Finnish personal budget (henkilökohtainen budjetti)."""
