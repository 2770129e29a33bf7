"""Model loading: one loader per model TYPE, loaded lazily once per process and shared across connections."""
