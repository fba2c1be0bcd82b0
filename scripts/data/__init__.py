"""The data factory: thesauri, inflection, the spinner, spun datasets and the candidate table."""
