"""Files on disk: the raw folder and its manifest, report sets swapped in whole, one run at a time."""
