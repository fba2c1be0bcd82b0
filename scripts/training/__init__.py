"""Training: site features from the serving score stage, the detector and its decision settings."""
