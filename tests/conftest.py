import matplotlib
from hypothesis import settings

matplotlib.use("Agg")

# Property tests draw the same examples on every run, so a CI result can be
# reproduced; widen the search locally with --hypothesis-seed or a profile.
settings.register_profile("skpapers", derandomize=True, database=None)
settings.load_profile("skpapers")
