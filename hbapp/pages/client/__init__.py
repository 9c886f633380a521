"""The citizen side: clients and the relatives and guardians who act for them."""
