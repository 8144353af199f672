"""The identity slice: links identity records to persons and households, issues pseudonyms."""
