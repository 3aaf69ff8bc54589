"""Patient records, skin profiles, contraindication screening and consent."""
