"""HB benchmarks: page weight, page load, events under load, data scale (`python -m bench`).

Not part of `make test`: run with `make bench`. Every part prints its figures and merges them
into bench/results/latest.json, with a markdown summary in bench/results/latest.md.
"""
